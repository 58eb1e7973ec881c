//! The transport over the caller's `fetch` (default `globalThis.fetch`), called through js-sys.
//! The per-attempt timeout aborts the request through an `AbortController`, so a timed-out
//! order is not left running or queued, and it ends the attempt even when a fetch ignores the
//! signal.

use std::rc::Rc;

use futures::future::{select, Either};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::error::Cause;

pub struct JsTransport {
    pub fetch: Function,
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(key), value).map(|_| ())
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

/// fetch's `init`: method, headers, body and the abort signal.
fn init(req: &HttpRequest, signal: Option<&web_sys::AbortSignal>) -> Result<JsValue, JsValue> {
    let init: JsValue = Object::new().into();
    set(&init, "method", &JsValue::from_str(req.method.as_str()))?;
    let headers: JsValue = Object::new().into();
    for (k, v) in &req.headers {
        set(&headers, k, &JsValue::from_str(v))?;
    }
    set(&init, "headers", &headers)?;
    // KIS never redirects; a redirect elsewhere would carry the keys, the token and an order.
    set(&init, "redirect", &JsValue::from_str("error"))?;
    if let Some(body) = &req.body {
        set(&init, "body", &JsValue::from_str(body))?;
    }
    if let Some(signal) = signal {
        set(&init, "signal", signal)?;
    }
    Ok(init)
}

/// undici reports "fetch failed" and keeps the reason in `cause`; both are said.
fn describe(e: &JsValue) -> String {
    let text = |v: &JsValue| v.as_string().filter(|s| !s.is_empty());
    let message = get(e, "message")
        .ok()
        .and_then(|m| text(&m))
        .or_else(|| text(e))
        .unwrap_or_else(|| "fetch rejected".to_string());
    let inner = get(e, "cause")
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| get(&c, "message").ok())
        .and_then(|m| text(&m));
    match inner {
        Some(inner) if inner != message => format!("{message} ({inner})"),
        _ => message,
    }
}

fn network(e: JsValue) -> TransportError {
    TransportError::Network(Cause {
        message: describe(&e),
        original: Some(Rc::new(e)),
    })
}

/// One fetch to its end: status, `tr_cont` and the body's text.
async fn exchange(
    fetch: &Function,
    req: &HttpRequest,
    init: &JsValue,
) -> Result<HttpResponse, JsValue> {
    // `this` undefined: a bare browser fetch throws "Illegal invocation" with any other.
    let sent = fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), init)?;
    let res = JsFuture::from(Promise::resolve(&sent)).await?;
    let text = get(&res, "text")?
        .dyn_into::<Function>()
        .map_err(|_| js_sys::Error::new("the fetch response has no text()"))?;
    let body = JsFuture::from(Promise::resolve(&text.call0(&res)?))
        .await?
        .as_string()
        .unwrap_or_default();
    let status = get(&res, "status")?.as_f64().unwrap_or(0.0) as u16;
    let headers = get(&res, "headers")?;
    let tr_cont = match get(&headers, "get")
        .ok()
        .and_then(|g| g.dyn_into::<Function>().ok())
    {
        Some(g) => g
            .call1(&headers, &JsValue::from_str("tr_cont"))?
            .as_string(),
        None => None,
    };
    Ok(HttpResponse {
        status,
        headers: tr_cont
            .filter(|t| !t.is_empty())
            .map(|t| vec![("tr_cont".to_string(), t)])
            .unwrap_or_default(),
        body,
    })
}

impl Transport for JsTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let Some(ms) = req.timeout_ms else {
            let init = init(&req, None).map_err(network)?;
            return exchange(&self.fetch, &req, &init).await.map_err(network);
        };
        let ctl = web_sys::AbortController::new().map_err(network)?;
        let init = init(&req, Some(&ctl.signal())).map_err(network)?;
        let call = Box::pin(exchange(&self.fetch, &req, &init));
        let timer = gloo_timers::future::TimeoutFuture::new(ms.min(i32::MAX as u64) as u32);
        let answer = match select(call, timer).await {
            Either::Left((answer, _timer)) => Some(answer),
            Either::Right(((), _call)) => None,
        };
        match answer {
            Some(answer) => answer.map_err(network),
            None => {
                ctl.abort();
                Err(TransportError::Timeout)
            }
        }
    }
}
