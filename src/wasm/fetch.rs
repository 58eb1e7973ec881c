//! The transport over the caller's `fetch` (default `globalThis.fetch`). An attempt is one
//! promise of `exchange` (`pkg-templates/shared.mjs`): it calls the fetch, reads the body to
//! its end or the limit, and aborts the request through an `AbortController` at the timeout,
//! so a timed-out order is not left running or queued, ending the attempt even when a fetch
//! ignores the signal. What each outcome means is read here: a rejection is a network error,
//! said as the fetch said it.

use std::cell::RefCell;

use js_sys::{Function, JsString, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use crate::error::Cause;
use crate::order::json_object;

#[wasm_bindgen]
extern "C" {
    /// What `exchange` (`pkg-templates/shared.mjs`) resolves with: the status (0 to 65535),
    /// `tr_cont` when the answer has one, and the body: bytes from its stream, the text of its
    /// `text()`, or null when it is longer than the limit.
    type Exchanged;
    #[wasm_bindgen(method, getter)]
    fn status(this: &Exchanged) -> u16;
    #[wasm_bindgen(method, getter, js_name = trCont)]
    fn tr_cont(this: &Exchanged) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn body(this: &Exchanged) -> JsValue;

    /// What a fetch rejects with: an `Error`, undici's with its reason in `cause`.
    type Failed;
    #[wasm_bindgen(method, getter, catch)]
    fn name(this: &Failed) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn message(this: &Failed) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn cause(this: &Failed) -> Result<JsValue, JsValue>;
}

// The strings every call sends, made once. (rustfmt would drop the values: it reads these as
// extern statics, which have none.)
#[rustfmt::skip]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, static_string)]
    static GET: JsString = "GET";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static POST: JsString = "POST";
}

thread_local! {
    static EXCHANGE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called by the package's entries with `exchange` of `pkg-templates/shared.mjs`; not part of
/// the API.
#[wasm_bindgen(js_name = "__setExchange", skip_typescript)]
pub fn set_exchange(exchange: Function) {
    EXCHANGE.with(|e| *e.borrow_mut() = Some(exchange));
}

pub struct JsTransport {
    pub fetch: Function,
}

/// undici reports "fetch failed" and keeps the reason in `cause`; both are said.
fn describe(e: &Failed) -> String {
    let text = |v: Result<JsValue, JsValue>| v.ok()?.as_string().filter(|s| !s.is_empty());
    let message = text(e.message())
        .or_else(|| text(Ok(e.into())))
        .unwrap_or_else(|| "fetch rejected".to_string());
    let inner = e
        .cause()
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| text(c.unchecked_into::<Failed>().message()));
    match inner {
        Some(inner) if inner != message => format!("{message} ({inner})"),
        _ => message,
    }
}

fn network(e: JsValue) -> TransportError {
    let e: Failed = e.unchecked_into();
    let name = e
        .name()
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
    Timeout,
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
            Failure::Timeout => TransportError::Timeout,
        }
    }
}

/// The text without a leading byte order mark, as fetch's own `text()` and `json()` read a
/// body (WHATWG's "UTF-8 decode"): kept, it would make every answer fail as JSON.
fn unmarked(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    text
}

/// One fetch to its end: status, `tr_cont` and the body's text, read no further than
/// `max_body_bytes`, in `timeout_ms`. The fetch, its reading and its timer are JS's (`exchange`
/// in `pkg-templates/shared.mjs`), so that the wasm awaits one promise rather than the fetch's,
/// each read's of the body and the timer's, each with closures made and dropped.
async fn exchange(fetch: &Function, req: &HttpRequest) -> Result<HttpResponse, Failure> {
    #[cfg(feature = "panic-probe")]
    if req.url.contains("/panic-probe") {
        panic!("the panic probe of test/node/trap.test.mjs");
    }
    let helper = EXCHANGE
        .with(|e| e.borrow().clone())
        .ok_or_else(|| js_sys::Error::new("kis-wasm was loaded without its entry"))?;
    let method = match req.method {
        Method::Get => GET.with(JsString::clone),
        Method::Post => POST.with(JsString::clone),
    };
    let optional = |v: Option<JsValue>| v.unwrap_or(JsValue::UNDEFINED);
    let limit = req.max_body_bytes;
    let sent = helper.call7(
        &JsValue::UNDEFINED,
        fetch,
        &JsValue::from_str(&req.url),
        &method,
        // One text that JS parses into the headers' object: a crossing for each name and
        // value cost more.
        &JsValue::from_str(&json_object(&req.headers)),
        &optional(req.body.as_deref().map(JsValue::from_str)),
        &optional(
            req.timeout_ms
                .map(|ms| JsValue::from(ms.min(i32::MAX as u64) as f64)),
        ),
        &JsValue::from(limit as f64),
    )?;
    let got = JsFuture::from(sent.unchecked_into::<Promise>()).await?;
    if got.is_null() {
        return Err(Failure::Timeout);
    }
    let got: Exchanged = got.unchecked_into();
    let body = got.body();
    let text = if body.is_null() {
        return Err(Failure::TooLarge(limit));
    } else if let Some(text) = body.as_string() {
        // Of `text()`: its length is known only now.
        let text = unmarked(text);
        if text.len() > limit {
            return Err(Failure::TooLarge(limit));
        }
        text
    } else {
        let bytes = body.unchecked_into::<Uint8Array>().to_vec();
        unmarked(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        )
    };
    Ok(HttpResponse {
        status: got.status(),
        headers: got
            .tr_cont()
            .filter(|t| !t.is_empty())
            .map(|t| vec![("tr_cont".to_string(), t)])
            .unwrap_or_default(),
        body: text,
    })
}

impl Transport for JsTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        exchange(&self.fetch, &req).await.map_err(Into::into)
    }
}
