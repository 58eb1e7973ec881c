//! The transport over the caller's `fetch` (default `globalThis.fetch`), called with `this`
//! undefined so a bare browser fetch does not throw "Illegal invocation". Timeouts abort the
//! request through an AbortController, so a timed-out order is not left running.

use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::engine::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::error::Cause;
use crate::wasm::timers::{clear_timeout, set_timeout};

#[wasm_bindgen]
extern "C" {
    type AbortController;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<AbortController, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
}

/// Response headers worth keeping (KIS's paging and tracing headers).
const KEPT_HEADERS: &[&str] = &["tr_cont", "tr_id", "gt_uid", "content-type"];

pub struct JsTransport {
    pub fetch: Function,
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// undici reports "fetch failed" and keeps the reason in `cause`; surface both.
fn describe(e: &JsValue) -> String {
    let msg = get(e, "message").as_string().unwrap_or_else(|| {
        e.as_string()
            .unwrap_or_else(|| "fetch rejected".to_string())
    });
    let inner = get(&get(e, "cause"), "message").as_string();
    match inner {
        Some(c) if !c.is_empty() && c != msg => format!("{msg} ({c})"),
        _ => msg,
    }
}

fn network(e: JsValue) -> TransportError {
    TransportError::Network(Cause {
        message: describe(&e),
        original: Some(Rc::new(e)),
    })
}

async fn settle(v: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&v)).await
}

impl Transport for JsTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let init = Object::new();
        let _ = Reflect::set(&init, &"method".into(), &req.method.as_str().into());
        let headers = Object::new();
        for (k, v) in &req.headers {
            let _ = Reflect::set(&headers, &k.as_str().into(), &v.as_str().into());
        }
        let _ = Reflect::set(&init, &"headers".into(), &headers);
        if let Some(b) = &req.body {
            let _ = Reflect::set(&init, &"body".into(), &b.as_str().into());
        }
        let controller = AbortController::new().ok();
        let mut timer = None;
        if let (Some(c), Some(ms)) = (&controller, req.timeout_ms) {
            let _ = Reflect::set(&init, &"signal".into(), &c.signal());
            if let Ok(abort) = get(c, "abort").dyn_into::<Function>() {
                timer = Some(set_timeout(&abort.bind0(c), ms as f64));
            }
        }
        let aborted = || {
            controller
                .as_ref()
                .map(|c| get(&c.signal(), "aborted").is_truthy())
                .unwrap_or(false)
        };
        let outcome = async {
            let pending = self
                .fetch
                .call2(&JsValue::UNDEFINED, &req.url.as_str().into(), &init)
                .map_err(network)?;
            let resp = settle(pending).await.map_err(network)?;
            let status = get(&resp, "status").as_f64().unwrap_or(0.0) as u16;
            let mut kept = Vec::new();
            let hs = get(&resp, "headers");
            if let Ok(getter) = get(&hs, "get").dyn_into::<Function>() {
                for name in KEPT_HEADERS {
                    if let Ok(v) = getter.call1(&hs, &JsValue::from_str(name)) {
                        if let Some(s) = v.as_string() {
                            kept.push((name.to_string(), s));
                        }
                    }
                }
            }
            let text_fn = get(&resp, "text")
                .dyn_into::<Function>()
                .map_err(|_| network(JsError::new("the fetch response has no text()").into()))?;
            let text = settle(text_fn.call0(&resp).map_err(network)?)
                .await
                .map_err(network)?;
            Ok(HttpResponse {
                status,
                headers: kept,
                body: text.as_string().unwrap_or_default(),
            })
        }
        .await;
        if let Some(t) = timer {
            clear_timeout(&t);
        }
        match outcome {
            Err(_) if aborted() => Err(TransportError::Timeout),
            other => other,
        }
    }
}
