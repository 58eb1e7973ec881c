//! The transport over the caller's `fetch` (default `globalThis.fetch`). The request is built
//! and sent by a few lines of JS, so a call crosses the wasm boundary twice (the request as four
//! values, the answer as one array) instead of once per header: each crossing of a string costs
//! a UTF-8 transcode, and they were a third of the client's own time per call.

use crate::prelude::*;

use alloc::rc::Rc;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use crate::error::Cause;
use crate::wasm::get;
use crate::wasm::tasks::JsAwait;

// `fetch` is called with `this` undefined (a bare browser fetch throws "Illegal invocation"
// otherwise). A timeout aborts the request through an AbortController, so a timed-out order is
// not left running. The promise always resolves: [status, text, tr_cont] on an answer (tr_cont is
// the one response header the client reads: KIS's paging flag), [error, aborted] on none.
#[wasm_bindgen(inline_js = r#"
export function kisGlobalFetch() {
  return globalThis.fetch;
}
export async function kisSend(fetch, method, url, headers, body, timeoutMs) {
  const h = {}, lines = headers.split("\n");
  for (let i = 0; i + 1 < lines.length; i += 2) h[lines[i]] = lines[i + 1];
  const init = { method, headers: h };
  if (body !== undefined) init.body = body;
  let ctl, timer;
  if (timeoutMs > 0) {
    ctl = new AbortController();
    init.signal = ctl.signal;
    timer = setTimeout(() => ctl.abort(), timeoutMs);
  }
  try {
    const res = await fetch(url, init);
    if (typeof res?.text !== "function") throw new Error("the fetch response has no text()");
    const text = await res.text();
    return [res.status, text, typeof res.headers?.get === "function" ? res.headers.get("tr_cont") : null];
  } catch (e) {
    return [e, ctl?.signal.aborted === true];
  } finally {
    clearTimeout(timer);
  }
}
"#)]
extern "C" {
    /// `globalThis.fetch`, or undefined (every runtime the package supports has `globalThis`).
    #[wasm_bindgen(js_name = kisGlobalFetch)]
    pub fn global_fetch() -> JsValue;
    #[wasm_bindgen(js_name = kisSend)]
    fn kis_send(
        fetch: &Function,
        method: &str,
        url: &str,
        headers: &str,
        body: Option<String>,
        timeout_ms: f64,
    ) -> Promise;
}

pub struct JsTransport {
    pub fetch: Function,
}

/// undici reports "fetch failed" and keeps the reason in `cause`; surface both.
fn describe(e: &JsValue) -> String {
    let msg = get(e, "message").as_string().unwrap_or_else(|| {
        e.as_string()
            .unwrap_or_else(|| "fetch rejected".to_string())
    });
    let inner = get(&get(e, "cause"), "message").as_string();
    match inner {
        Some(c) if !c.is_empty() && c != msg => cat![msg, " (", c, ")"],
        _ => msg,
    }
}

impl Transport for JsTransport {
    async fn send(&self, req: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut headers = String::new();
        for (k, v) in &req.headers {
            // fetch itself refuses such a header; say which, rather than send a misaligned list.
            let breaks = |s: &str| s.bytes().any(|b| b == b'\n' || b == b'\r');
            if breaks(k) || breaks(v) {
                return Err(TransportError::Network(Cause {
                    message: cat!["header ", k, " holds a line break"],
                    original: None,
                }));
            }
            headers.push_str(k);
            headers.push('\n');
            headers.push_str(v);
            headers.push('\n');
        }
        let timeout = req.timeout_ms.map_or(0.0, |ms| ms as f64);
        let sent = kis_send(
            &self.fetch,
            req.method.as_str(),
            &req.url,
            &headers,
            req.body,
            timeout,
        );
        let out: Array = JsAwait::new(sent.into()).await.unwrap_or_default().into();
        if out.length() < 3 {
            if out.get(1).is_truthy() {
                return Err(TransportError::Timeout);
            }
            let e = out.get(0);
            return Err(TransportError::Network(Cause {
                message: describe(&e),
                original: Some(Rc::new(e)),
            }));
        }
        let headers = match out.get(2).as_string() {
            Some(v) => vec![("tr_cont".to_string(), v)],
            None => Vec::new(),
        };
        Ok(HttpResponse {
            status: out.get(0).as_f64().unwrap_or(0.0) as u16,
            headers,
            body: out.get(1).as_string().unwrap_or_default(),
        })
    }
}
