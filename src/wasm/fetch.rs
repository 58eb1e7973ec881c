//! The transport over the caller's `fetch` (default `globalThis.fetch`). The glue builds and
//! sends the request from one string and answers with the `tr_cont` header and the body, so a
//! call crosses the boundary twice rather than once per header.

use crate::prelude::*;

use alloc::rc::Rc;

use crate::engine::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::error::Cause;
use crate::wasm::abi;
use crate::wasm::tasks::{Answer, IoWait, JsRef};

/// Owns the glue's record of the client's host options (fetch, store, callbacks): the glue
/// forgets them when the engine, and so this, is dropped.
pub struct JsTransport {
    pub host: JsRef,
}

/// The request as the glue's `send` reads it: method, URL, timeout in ms (0: none) and "1" when
/// a body follows, one a line; then header names and values a line each, an empty line, and the
/// body as the rest. Header names are never empty, so the empty line ends them.
fn request_text(req: &HttpRequest) -> Result<String, TransportError> {
    let timeout = req.timeout_ms.unwrap_or(0);
    let mut out = cat![
        req.method.as_str(),
        "\n",
        req.url,
        "\n",
        num(timeout),
        "\n",
        if req.body.is_some() { "1" } else { "0" },
        "\n"
    ];
    for (k, v) in &req.headers {
        // fetch itself refuses such a header; say which, rather than send a misaligned list.
        let breaks = |s: &str| s.bytes().any(|b| b == b'\n' || b == b'\r');
        if k.is_empty() || breaks(k) || breaks(v) {
            return Err(TransportError::Network(Cause {
                message: cat!["header ", k, " holds a line break"],
                original: None,
            }));
        }
        for s in [k, v.as_str()] {
            out.push_str(s);
            out.push('\n');
        }
    }
    out.push('\n');
    if let Some(body) = &req.body {
        out.push_str(body);
    }
    Ok(out)
}

impl Transport for JsTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let text = request_text(&req)?;
        let wait = IoWait::new();
        // SAFETY: the import reads the string before returning.
        unsafe { abi::send(self.host.0, wait.id(), text.as_ptr(), text.len()) };
        drop(text);
        match wait.await {
            Answer::Response(status, tr_cont, body) => {
                let headers = if tr_cont.is_empty() {
                    Vec::new()
                } else {
                    vec![("tr_cont".to_string(), tr_cont)]
                };
                Ok(HttpResponse {
                    status,
                    headers,
                    body,
                })
            }
            Answer::Failure(true, _, _) => Err(TransportError::Timeout),
            Answer::Failure(false, message, error) => Err(TransportError::Network(Cause {
                message,
                original: (error.0 != 0).then(|| Rc::new(error) as Rc<dyn core::any::Any>),
            })),
            _ => Err(TransportError::Network(Cause {
                message: "the glue answered a fetch with something else".to_string(),
                original: None,
            })),
        }
    }
}
