//! The stack's own cost per call, as `kis-wasm`'s transport pays it (src/wasm/fetch.rs): the
//! same typed bindings, so that no property name crosses as a string.

use futures::future::{select, Either};
use js_sys::{Array, Function, JsString, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(extends = Object)]
    type FetchInit;
    #[wasm_bindgen(method, setter)]
    fn set_method(this: &FetchInit, v: &JsString);
    #[wasm_bindgen(method, setter)]
    fn set_headers(this: &FetchInit, v: &JsValue);
    #[wasm_bindgen(method, setter)]
    fn set_redirect(this: &FetchInit, v: &JsString);
    #[wasm_bindgen(method, setter)]
    fn set_signal(this: &FetchInit, v: &web_sys::AbortSignal);

    type Answer;
    #[wasm_bindgen(method, getter, catch)]
    fn body(this: &Answer) -> Result<JsValue, JsValue>;
    type Stream;
    #[wasm_bindgen(method, getter, catch, js_name = getReader)]
    fn get_reader(this: &Stream) -> Result<JsValue, JsValue>;
    type Reader;
    #[wasm_bindgen(method, getter, catch)]
    fn read(this: &Reader) -> Result<JsValue, JsValue>;
    type Chunk;
    #[wasm_bindgen(method, getter, catch)]
    fn done(this: &Chunk) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn value(this: &Chunk) -> Result<JsValue, JsValue>;
}

#[rustfmt::skip]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, static_string)]
    static GET: JsString = "GET";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static MANUAL: JsString = "manual";
}

async fn settle(v: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&v)).await
}

/// One GET: the body's bytes, read from its stream.
async fn body(fetch: &Function, url: &str, init: &JsValue) -> Result<Vec<u8>, JsValue> {
    let res = settle(fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), init)?).await?;
    let stream = res.unchecked_ref::<Answer>().body()?;
    let reader = stream
        .unchecked_ref::<Stream>()
        .get_reader()?
        .dyn_into::<Function>()?
        .call0(&stream)?;
    let read = reader
        .unchecked_ref::<Reader>()
        .read()?
        .dyn_into::<Function>()?;
    let mut bytes = Vec::new();
    loop {
        let chunk: Chunk = settle(read.call0(&reader)?).await?.unchecked_into();
        if chunk.done()?.is_truthy() {
            return Ok(bytes);
        }
        let chunk = match chunk.value()?.dyn_into::<Uint8Array>() {
            Ok(bytes) => bytes,
            Err(other) => Uint8Array::new(&other),
        };
        let start = bytes.len();
        bytes.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
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
    Reflect::set(&result, &JsValue::from_str("symbol"), &JsValue::from_str("005930"))?;
    Reflect::set(&result, &JsValue::from_str("raw"), &env.output)?;
    Ok(result)
}

#[wasm_bindgen]
pub struct Floor {
    fetch: Function,
    url: String,
    headers: Vec<(String, String)>,
}

impl Floor {
    async fn get(
        fetch: Function,
        url: String,
        headers: Vec<(String, String)>,
    ) -> Result<Vec<u8>, JsValue> {
        let ctl = web_sys::AbortController::new()?;
        let init: FetchInit = Object::new().unchecked_into();
        GET.with(|m| init.set_method(m));
        let h: JsValue = Object::new().into();
        for (k, v) in &headers {
            Reflect::set(&h, &JsValue::from_str(k), &JsValue::from_str(v))?;
        }
        init.set_headers(&h);
        MANUAL.with(|m| init.set_redirect(m));
        init.set_signal(&ctl.signal());
        let init: JsValue = init.into();
        let call = Box::pin(async move { body(&fetch, &url, &init).await });
        let timer = gloo_timers::future::TimeoutFuture::new(30_000);
        match select(call, timer).await {
            Either::Left((bytes, _timer)) => bytes,
            Either::Right(((), _call)) => {
                ctl.abort();
                Err(JsValue::from_str("timed out"))
            }
        }
    }
}

#[wasm_bindgen]
impl Floor {
    /// `headers` as `[name, value]` pairs.
    #[wasm_bindgen(constructor)]
    pub fn new(fetch: Function, url: String, headers: Array) -> Floor {
        let headers = headers
            .iter()
            .map(|pair| {
                let pair = Array::from(&pair);
                let text = |i| pair.get(i).as_string().unwrap_or_default();
                (text(0), text(1))
            })
            .collect();
        Floor {
            fetch,
            url,
            headers,
        }
    }

    /// The fetch and the body read: its length.
    pub fn bare(&self) -> Promise {
        let work = Floor::get(self.fetch.clone(), self.url.clone(), self.headers.clone());
        future_to_promise(async move { Ok(JsValue::from_f64(work.await?.len() as f64)) })
    }

    /// And the body parsed into a `serde_json::Value`: the price in it.
    pub fn parsed(&self) -> Promise {
        let work = Floor::get(self.fetch.clone(), self.url.clone(), self.headers.clone());
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
        let work = Floor::get(self.fetch.clone(), self.url.clone(), self.headers.clone());
        future_to_promise(async move { quote_of(work.await?) })
    }
}
