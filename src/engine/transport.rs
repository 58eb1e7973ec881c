//! The small traits through which the engine does all its I/O: the wasm layer implements them
//! over the injected fetch, timers and a JS token store; tests implement them with fakes.

use crate::error::{Cause, ErrorKind, KisError};
use crate::models::StoredToken;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    /// Names are the crate's constants, so a request copies only the values.
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    /// Per attempt; the transport aborts the request when it passes.
    pub timeout_ms: Option<u64>,
    /// The transport stops reading an answer past this many bytes (after decompression) and
    /// fails with `TooLarge`, so a hostile or broken server cannot exhaust the memory.
    pub max_body_bytes: usize,
}

impl HttpRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// A redirect is never followed: it comes back as its 3xx, or as 0 from a browser's
    /// opaque redirect, and the engine fails the call on it.
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A header's value by name, in any case; the names are the crate's constants in a request
/// and the glue's strings in a response.
pub(crate) fn find_header<'a, K: AsRef<str>>(
    headers: &'a [(K, String)],
    name: &str,
) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[derive(Debug, Clone)]
pub enum TransportError {
    /// No answer: connection refused or reset, DNS, CORS, a body cut mid-stream.
    Network(Cause),
    /// The per-attempt timeout fired and the request was aborted.
    Timeout,
    /// The answer passed `max_body_bytes` (the limit); the rest was not read.
    TooLarge(usize),
}

/// What a failed exchange means to the caller, said of the request it was.
pub(crate) fn transport_error(te: TransportError, path: &str, tr_id: &str) -> KisError {
    match te {
        TransportError::Network(cause) => KisError::new(
            ErrorKind::Network,
            format!("network error calling KIS {path}: {}", cause.message),
        )
        .with_request(path, tr_id)
        .with_cause(Some(cause)),
        TransportError::Timeout => KisError::new(
            ErrorKind::Timeout,
            format!("KIS {path} did not answer in time"),
        )
        .with_request(path, tr_id),
        TransportError::TooLarge(limit) => KisError::new(
            ErrorKind::Decode,
            format!(
                "KIS {path} answered more than {limit} bytes (options.maxResponseBytes); the rest \
                 was not read"
            ),
        )
        .with_request(path, tr_id),
    }
}

#[allow(async_fn_in_trait)]
pub trait Transport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[allow(async_fn_in_trait)]
pub trait Clock {
    /// Epoch milliseconds.
    fn now_ms(&self) -> f64;
    async fn sleep(&self, ms: f64);
}

/// Persists tokens across reloads and processes. Errors are messages; the engine logs them and
/// carries on without the store, since a broken cache must not stop trading.
#[allow(async_fn_in_trait)]
pub trait TokenStore {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>, String>;
    async fn set(&self, key: &str, token: &StoredToken) -> Result<(), String>;
    /// Whether anything but this client writes it (the binding's default is no store at all):
    /// only then can a token appear there that this client did not put.
    fn shared(&self) -> bool;
}

impl<T: Transport> Transport for std::rc::Rc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

impl<C: Clock> Clock for std::rc::Rc<C> {
    fn now_ms(&self) -> f64 {
        (**self).now_ms()
    }
    async fn sleep(&self, ms: f64) {
        (**self).sleep(ms).await
    }
}

impl<S: TokenStore> TokenStore for std::rc::Rc<S> {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>, String> {
        (**self).get(key).await
    }
    async fn set(&self, key: &str, token: &StoredToken) -> Result<(), String> {
        (**self).set(key, token).await
    }
    fn shared(&self) -> bool {
        (**self).shared()
    }
}
