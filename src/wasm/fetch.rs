//! The transport over the caller's `fetch` (default `globalThis.fetch`), called through js-sys.
//! The per-attempt timeout aborts the request through an `AbortController`, so a timed-out
//! order is not left running or queued, and it ends the attempt even when a fetch ignores the
//! signal.

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
    // "manual" rather than "error": the engine sees the 3xx (0 in browsers) and says so,
    // where "error" would be a network error that reads retry as the cure.
    set(&init, "redirect", &JsValue::from_str("manual"))?;
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
    let name = get(&e, "name")
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    TransportError::Network(Cause {
        name,
        message: describe(&e),
    })
}

/// Why an exchange ended without an answer.
enum Failure {
    Js(JsValue),
    TooLarge(usize),
}

impl From<JsValue> for Failure {
    fn from(e: JsValue) -> Self {
        Failure::Js(e)
    }
}

impl From<js_sys::Error> for Failure {
    fn from(e: js_sys::Error) -> Self {
        Failure::Js(e.into())
    }
}

impl From<Failure> for TransportError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::Js(e) => network(e),
            Failure::TooLarge(limit) => TransportError::TooLarge(limit),
        }
    }
}

fn method(target: &JsValue, name: &str) -> Option<Function> {
    get(target, name).ok()?.dyn_into::<Function>().ok()
}

async fn settle(v: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&v)).await
}

/// The body as text, read no further than `limit` bytes: from the stream when the response
/// has one (what is past the limit is never read), else through `text()` (a caller's fetch
/// that builds answers by hand). A `content-length` past the limit is refused before reading.
async fn body_text(res: &JsValue, headers: &JsValue, limit: usize) -> Result<String, Failure> {
    let declared = method(headers, "get")
        .and_then(|g| g.call1(headers, &JsValue::from_str("content-length")).ok())
        .and_then(|v| v.as_string())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Failure::TooLarge(limit));
    }
    let stream = get(res, "body")?;
    let Some(reader) = method(&stream, "getReader") else {
        let text = method(res, "text")
            .ok_or_else(|| js_sys::Error::new("the fetch response has no text()"))?;
        let text = settle(text.call0(res)?)
            .await?
            .as_string()
            .unwrap_or_default();
        return match text.len() > limit {
            true => Err(Failure::TooLarge(limit)),
            false => Ok(text),
        };
    };
    let reader = reader.call0(&stream)?;
    let read = method(&reader, "read").ok_or_else(|| js_sys::Error::new("no reader.read()"))?;
    let mut bytes = Vec::new();
    loop {
        let chunk = settle(read.call0(&reader)?).await?;
        if get(&chunk, "done")?.is_truthy() {
            break;
        }
        let chunk = js_sys::Uint8Array::new(&get(&chunk, "value")?);
        if bytes.len() + chunk.length() as usize > limit {
            if let Some(cancel) = method(&reader, "cancel") {
                // Stops the download; whether the stream agrees changes nothing here.
                let _ = cancel.call0(&reader);
            }
            return Err(Failure::TooLarge(limit));
        }
        // Straight from JS memory into the buffer: one copy, not two.
        let start = bytes.len();
        bytes.resize(start + chunk.length() as usize, 0);
        chunk.copy_to(&mut bytes[start..]);
    }
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// One fetch to its end: status, `tr_cont` and the body's text.
async fn exchange(
    fetch: &Function,
    req: &HttpRequest,
    init: &JsValue,
) -> Result<HttpResponse, Failure> {
    // `this` undefined: a bare browser fetch throws "Illegal invocation" with any other.
    let sent = fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), init)?;
    let res = settle(sent).await?;
    let status = get(&res, "status")?.as_f64().unwrap_or(0.0) as u16;
    let headers = get(&res, "headers")?;
    // A redirect is not followed, nor its body read: the engine fails the call on its status.
    let body = match status {
        0 | 300..=399 => String::new(),
        _ => body_text(&res, &headers, req.max_body_bytes).await?,
    };
    let tr_cont = match method(&headers, "get") {
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
            return exchange(&self.fetch, &req, &init).await.map_err(Into::into);
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
            Some(answer) => answer.map_err(Into::into),
            None => {
                ctl.abort();
                Err(TransportError::Timeout)
            }
        }
    }
}
