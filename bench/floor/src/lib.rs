//! The stack's own cost per call, as `kis-wasm`'s transport pays it (src/wasm/fetch.rs): one
//! promise of the package's `exchange` (pkg-templates/shared.mjs), which calls the fetch with
//! an AbortSignal and a timer and reads the body's stream, awaited once from the wasm.

use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen]
extern "C" {
    /// What `exchange` resolves with.
    type Exchanged;
    #[wasm_bindgen(method, getter)]
    fn body(this: &Exchanged) -> JsValue;
}

/// The envelope, with `output` kept as the JS object it is.
#[derive(serde::Deserialize)]
struct Envelope {
    rt_cd: String,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    output: JsValue,
}

/// The quote's fields a `Quote` reads, as KIS sends them.
#[derive(serde::Deserialize)]
struct Output {
    stck_prpr: String,
    prdy_vrss: String,
    prdy_ctrt: String,
    acml_vol: String,
    stck_oprc: String,
    stck_hgpr: String,
    stck_lwpr: String,
    stck_mxpr: String,
    stck_llam: String,
}

/// `Quote` as the package writes it, less `symbol` and `raw` (set on the object after).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Quote {
    price: Option<f64>,
    change: Option<f64>,
    change_rate: Option<f64>,
    volume: Option<f64>,
    open: Option<f64>,
    high: Option<f64>,
    low: Option<f64>,
    upper_limit: Option<f64>,
    lower_limit: Option<f64>,
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse().ok().filter(|n: &f64| n.is_finite())
}

/// design.md §1's data path: the body parsed once by JS, the fields read from that object,
/// and the result built with `raw` being KIS's own object.
fn quote_of(bytes: Vec<u8>) -> Result<JsValue, JsValue> {
    let text = String::from_utf8(bytes).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let parsed = js_sys::JSON::parse(&text)?;
    let env: Envelope = serde_wasm_bindgen::from_value(parsed)?;
    if env.rt_cd != "0" {
        return Err(JsValue::from_str("rt_cd"));
    }
    let o: Output = serde_wasm_bindgen::from_value(env.output.clone())?;
    let quote = Quote {
        price: number(&o.stck_prpr),
        change: number(&o.prdy_vrss),
        change_rate: number(&o.prdy_ctrt),
        volume: number(&o.acml_vol),
        open: number(&o.stck_oprc),
        high: number(&o.stck_hgpr),
        low: number(&o.stck_lwpr),
        upper_limit: number(&o.stck_mxpr),
        lower_limit: number(&o.stck_llam),
    };
    let result = serde_wasm_bindgen::to_value(&quote)?;
    Reflect::set(
        &result,
        &JsValue::from_str("symbol"),
        &JsValue::from_str("005930"),
    )?;
    Reflect::set(&result, &JsValue::from_str("raw"), &env.output)?;
    Ok(result)
}

#[wasm_bindgen]
pub struct Floor {
    fetch: Function,
    exchange: Function,
    url: String,
    /// The headers as one JSON text, as the package hands them to `exchange`.
    headers: String,
}

impl Floor {
    fn get(&self) -> impl std::future::Future<Output = Result<Vec<u8>, JsValue>> {
        let sent = self.exchange.call7(
            &JsValue::UNDEFINED,
            &self.fetch,
            &JsValue::from_str(&self.url),
            &JsValue::from_str("GET"),
            &JsValue::from_str(&self.headers),
            &JsValue::UNDEFINED,
            &JsValue::from(30_000),
            &JsValue::from(8 << 20),
        );
        async move {
            let got: Exchanged = JsFuture::from(sent?.unchecked_into::<Promise>())
                .await?
                .unchecked_into();
            Ok(got.body().unchecked_into::<Uint8Array>().to_vec())
        }
    }
}

#[wasm_bindgen]
impl Floor {
    /// `headers` as `[name, value]` pairs; `exchange` the package's.
    #[wasm_bindgen(constructor)]
    pub fn new(fetch: Function, url: String, headers: Array, exchange: Function) -> Floor {
        let headers: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|pair| {
                let pair = Array::from(&pair);
                let text = |i| pair.get(i).as_string().unwrap_or_default();
                (text(0), serde_json::Value::String(text(1)))
            })
            .collect();
        Floor {
            fetch,
            exchange,
            url,
            headers: serde_json::Value::Object(headers).to_string(),
        }
    }

    /// The fetch and the body read: its length.
    pub fn bare(&self) -> Promise {
        let work = self.get();
        future_to_promise(async move { Ok(JsValue::from_f64(work.await?.len() as f64)) })
    }

    /// And the body parsed into a `serde_json::Value`: the price in it.
    pub fn parsed(&self) -> Promise {
        let work = self.get();
        future_to_promise(async move {
            let body: serde_json::Value = serde_json::from_slice(&work.await?)
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
            let price = body["output"]["stck_prpr"]
                .as_str()
                .and_then(|p| p.parse().ok());
            Ok(JsValue::from_f64(price.unwrap_or(f64::NAN)))
        })
    }

    /// And the body parsed by JS, a quote built from it through serde-wasm-bindgen with `raw`
    /// KIS's own object (design.md §1): the result, as `getPrice`'s.
    #[wasm_bindgen(js_name = jsParsed)]
    pub fn js_parsed(&self) -> Promise {
        let work = self.get();
        future_to_promise(async move { quote_of(work.await?) })
    }
}
