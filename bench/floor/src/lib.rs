//! The stack's own cost per call, as `kis-wasm`'s transport pays it (src/wasm/fetch.rs).

use futures::future::{select, Either};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(key), value).map(|_| ())
}

async fn settle(v: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&v)).await
}

/// One GET: the body's bytes, read from its stream.
async fn body(fetch: &Function, url: &str, init: &JsValue) -> Result<Vec<u8>, JsValue> {
    let res = settle(fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(url), init)?).await?;
    let stream = get(&res, "body")?;
    let reader = get(&stream, "getReader")?
        .dyn_into::<Function>()?
        .call0(&stream)?;
    let read = get(&reader, "read")?.dyn_into::<Function>()?;
    let mut bytes = Vec::new();
    loop {
        let chunk = settle(read.call0(&reader)?).await?;
        if get(&chunk, "done")?.is_truthy() {
            return Ok(bytes);
        }
        let chunk = Uint8Array::new(&get(&chunk, "value")?);
        let start = bytes.len();
        bytes.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
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
        let init: JsValue = Object::new().into();
        set(&init, "method", &JsValue::from_str("GET"))?;
        let h: JsValue = Object::new().into();
        for (k, v) in &headers {
            set(&h, k, &JsValue::from_str(v))?;
        }
        set(&init, "headers", &h)?;
        set(&init, "redirect", &JsValue::from_str("manual"))?;
        set(&init, "signal", &ctl.signal())?;
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
}
