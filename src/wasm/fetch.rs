//! The transport over the caller's `fetch` (default `globalThis.fetch`), called through js-sys.
//! The per-attempt timeout aborts the request through an `AbortController`, so a timed-out
//! order is not left running or queued, and it ends the attempt even when a fetch ignores the
//! signal.
//!
//! The request and its answer are spoken of through typed bindings (`extern "C"` below), so
//! property names are written once into the glue instead of crossing as strings on every call;
//! the answer's types are structural, so a caller's fetch may answer with any object of
//! `Response`'s shape.

use futures::future::{select, Either};
use js_sys::{ArrayBuffer, Function, JsString, Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, JsThreadLocal};
use wasm_bindgen_futures::JsFuture;

use crate::engine::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use crate::error::Cause;
use crate::order::json_object;

#[wasm_bindgen]
extern "C" {
    /// fetch's `init`.
    #[wasm_bindgen(extends = Object)]
    type FetchInit;
    #[wasm_bindgen(method, setter)]
    fn set_method(this: &FetchInit, v: &JsString);
    #[wasm_bindgen(method, setter)]
    fn set_headers(this: &FetchInit, v: &JsValue);
    #[wasm_bindgen(method, setter)]
    fn set_redirect(this: &FetchInit, v: &JsString);
    #[wasm_bindgen(method, setter)]
    fn set_body(this: &FetchInit, v: &str);
    #[wasm_bindgen(method, setter)]
    fn set_signal(this: &FetchInit, v: &web_sys::AbortSignal);

    // Every getter catches: a caller's fetch may answer with anything, and what a getter
    // throws must come back as an error, not unwind through the engine.

    /// What fetch answers: a WHATWG `Response`, or a caller's object of its shape.
    type Answer;
    #[wasm_bindgen(method, getter, catch)]
    fn status(this: &Answer) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn headers(this: &Answer) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn body(this: &Answer) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn text(this: &Answer) -> Result<JsValue, JsValue>;

    /// The answer's headers: `Headers`, or anything with `get`.
    type HeaderBag;
    #[wasm_bindgen(method, getter, catch)]
    fn get(this: &HeaderBag) -> Result<JsValue, JsValue>;

    /// The body's stream and its reader.
    type Stream;
    #[wasm_bindgen(method, getter, catch, js_name = getReader)]
    fn get_reader(this: &Stream) -> Result<JsValue, JsValue>;
    type Reader;
    #[wasm_bindgen(method, getter, catch)]
    fn read(this: &Reader) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn cancel(this: &Reader) -> Result<JsValue, JsValue>;
    type Chunk;
    #[wasm_bindgen(method, getter, catch)]
    fn done(this: &Chunk) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn value(this: &Chunk) -> Result<JsValue, JsValue>;

    /// `new Uint8Array(bytes)`: of a typed array, a copy of its bytes in a buffer of its own;
    /// of an `ArrayBuffer`, a view of it. It reads no property a caller could have overridden,
    /// and throws for a detached buffer or a view past its end, hence caught.
    #[wasm_bindgen(js_name = Uint8Array)]
    type Bytes;
    #[wasm_bindgen(constructor, catch, js_class = "Uint8Array")]
    fn new(bytes: &JsValue) -> Result<Bytes, JsValue>;

    /// What a fetch rejects with: an `Error`, undici's with its reason in `cause`.
    type Failed;
    #[wasm_bindgen(method, getter, catch)]
    fn name(this: &Failed) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn message(this: &Failed) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn cause(this: &Failed) -> Result<JsValue, JsValue>;
}

// The strings every call sends or asks for, made once. (rustfmt would drop the values: it
// reads these as extern statics, which have none.)
#[rustfmt::skip]
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, static_string)]
    static GET: JsString = "GET";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static POST: JsString = "POST";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static MANUAL: JsString = "manual";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static CONTENT_LENGTH: JsString = "content-length";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static TR_CONT: JsString = "tr_cont";
}

pub struct JsTransport {
    pub fetch: Function,
}

/// The method `getter` reads off `target`, when it is a function (to be called with `target`
/// as `this`).
fn method<T: JsCast>(
    target: &JsValue,
    getter: fn(&T) -> Result<JsValue, JsValue>,
) -> Option<Function> {
    getter(target.unchecked_ref()).ok()?.dyn_into().ok()
}

/// fetch's `init`: method, headers, body and the abort signal.
fn init(req: &HttpRequest, signal: Option<&web_sys::AbortSignal>) -> Result<JsValue, JsValue> {
    let init: FetchInit = Object::new().unchecked_into();
    match req.method {
        Method::Get => GET.with(|m| init.set_method(m)),
        Method::Post => POST.with(|m| init.set_method(m)),
    }
    // One object from one text: a crossing for each name and value cost more.
    init.set_headers(&js_sys::JSON::parse(&json_object(&req.headers))?);
    // KIS never redirects; a redirect elsewhere would carry the keys, the token and an order.
    // "manual" rather than "error": the engine sees the 3xx (0 in browsers) and says so,
    // where "error" would be a network error that reads retry as the cure.
    MANUAL.with(|m| init.set_redirect(m));
    if let Some(body) = &req.body {
        init.set_body(body);
    }
    if let Some(signal) = signal {
        init.set_signal(signal);
    }
    Ok(init.into())
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

async fn settle(v: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&v)).await
}

/// The answer's headers, read through their `get`, looked up once.
struct Headers {
    bag: JsValue,
    get: Option<Function>,
}

impl Headers {
    fn of(answer: &Answer) -> Result<Headers, JsValue> {
        let bag = answer.headers()?;
        let get = method(&bag, HeaderBag::get);
        Ok(Headers { bag, get })
    }

    /// The header `name`, when the answer has it; a `get` that throws is a failed exchange.
    fn get(&self, name: &'static JsThreadLocal<JsString>) -> Result<Option<String>, JsValue> {
        match &self.get {
            Some(get) => Ok(name.with(|name| get.call1(&self.bag, name))?.as_string()),
            None => Ok(None),
        }
    }
}

/// The body as text, read no further than `limit` bytes: from the stream when the response
/// has one (what is past the limit is never read), else through `text()` (a caller's fetch
/// that builds answers by hand). A `content-length` past the limit is refused before reading.
async fn body_text(res: &JsValue, headers: &Headers, limit: usize) -> Result<String, Failure> {
    let declared = headers
        .get(&CONTENT_LENGTH)
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(Failure::TooLarge(limit));
    }
    let stream = res.unchecked_ref::<Answer>().body()?;
    let Some(reader) = method(&stream, Stream::get_reader) else {
        let text = method(res, Answer::text)
            .ok_or_else(|| js_sys::Error::new("the fetch response has no text()"))?;
        let text = unmarked(
            settle(text.call0(res)?)
                .await?
                .as_string()
                .unwrap_or_default(),
        );
        return match text.len() > limit {
            true => Err(Failure::TooLarge(limit)),
            false => Ok(text),
        };
    };
    let reader = reader.call0(&stream)?;
    let read =
        method(&reader, Reader::read).ok_or_else(|| js_sys::Error::new("no reader.read()"))?;
    // The chunks stay in JS until the end, then are copied once into a buffer of the body's
    // size: a buffer grown as they come would double up to 8 MB for an answer of 6, copying
    // itself at every step, in a memory that never shrinks.
    let mut chunks: Vec<Uint8Array> = Vec::new();
    let mut length = 0;
    loop {
        let chunk: Chunk = settle(read.call0(&reader)?).await?.unchecked_into();
        if chunk.done()?.is_truthy() {
            break;
        }
        // A stream of fetch's gives `Uint8Array`s; a caller's may give `ArrayBuffer`s. Anything
        // else is not a body, and `new Uint8Array(n)` of a number would allocate n bytes.
        let value = chunk.value()?;
        let view = match (
            value.is_instance_of::<Uint8Array>(),
            value.is_instance_of::<ArrayBuffer>(),
        ) {
            (true, _) => value,
            (_, true) => Bytes::new(&value)?.into(),
            _ => {
                return Err(
                    js_sys::Error::new("the body's stream gave a chunk that is not bytes").into(),
                )
            }
        };
        // Copied now, in JS: a caller's stream may reuse, detach or resize a chunk's buffer
        // once it has given it, and the copy is the package's own.
        let chunk: Uint8Array = Bytes::new(&view)?.unchecked_into();
        length += chunk.length() as usize;
        if length > limit {
            if let Some(cancel) = method(&reader, Reader::cancel) {
                // Stops the download; whether the stream agrees changes nothing here.
                let _ = cancel.call0(&reader);
            }
            return Err(Failure::TooLarge(limit));
        }
        chunks.push(chunk);
    }
    let mut bytes = vec![0; length];
    let mut at = 0;
    for chunk in chunks {
        let n = chunk.length() as usize;
        // Straight from JS memory into the buffer: one copy, not two.
        chunk.copy_to(&mut bytes[at..at + n]);
        at += n;
    }
    Ok(unmarked(String::from_utf8(bytes).unwrap_or_else(|e| {
        String::from_utf8_lossy(e.as_bytes()).into_owned()
    })))
}

/// The text without a leading byte order mark, as fetch's own `text()` and `json()` read a
/// body (WHATWG's "UTF-8 decode"): kept, it would make every answer fail as JSON.
fn unmarked(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    text
}

/// One fetch to its end: status, `tr_cont` and the body's text.
async fn exchange(
    fetch: &Function,
    req: &HttpRequest,
    init: &JsValue,
) -> Result<HttpResponse, Failure> {
    #[cfg(feature = "panic-probe")]
    if req.url.contains("/panic-probe") {
        panic!("the panic probe of test/node/trap.test.mjs");
    }
    // `this` undefined: a bare browser fetch throws "Illegal invocation" with any other.
    let sent = fetch.call2(&JsValue::UNDEFINED, &JsValue::from_str(&req.url), init)?;
    let res = settle(sent).await?;
    if !res.is_object() {
        return Err(
            js_sys::Error::new("the fetch answered with something that is not a response").into(),
        );
    }
    let answer = res.unchecked_ref::<Answer>();
    let status = answer.status()?.as_f64().unwrap_or(0.0) as u16;
    let headers = Headers::of(answer)?;
    // A redirect is not followed, nor its body read: the engine fails the call on its status.
    let body = match status {
        0 | 300..=399 => String::new(),
        _ => body_text(&res, &headers, req.max_body_bytes).await?,
    };
    let tr_cont = headers.get(&TR_CONT)?;
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
