//! One KIS `/uapi` call with the client's policies: token (S5/S6), hashkey (S2), rate limit (B4),
//! and the retry rules (S7, B1). Orders are never resent here after an attempt that may have
//! reached KIS; the caller decides that (B5) after looking the order up.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::engine::core::KisCore;
use crate::engine::transport::transport_error;
use crate::engine::transport::{Clock, HttpRequest, Method, TokenStore, Transport, TransportError};
use crate::envelope::{classify, Verdict};
use crate::error::{ErrorKind, KisError, Result};
use crate::events::EventType;
use crate::headers::{hashkey_headers, sendable, uapi_headers};
use crate::query::{url_with_query, Query};
use crate::row::{Object, OwnedObject};

pub const HASHKEY_PATH: &str = "/uapi/hashkey";
/// EGW00201 means the gateway turned the call away; waiting a window and trying again is safe
/// even for orders, but not forever.
const GATEWAY_BUSY_RETRIES: u32 = 4;
const GATEWAY_BUSY_WAIT_MS: f64 = 1000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// Reads: retried on 5xx without an envelope and on lost connections (S7).
    Read,
    /// Orders, and `cancel()`'s and `modify()`'s changes to them: an attempt that may have
    /// reached KIS ends the call `maybe_executed`, and the caller looks it up in today's orders.
    Order,
    /// Other writes (POSTs through `request()`, and through `call()` to an API no list of orders
    /// shows): never resent after they may have reached KIS, and nothing to look up.
    Write,
}

#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    pub tr_id: String,
    pub query: Query,
    /// The exact JSON text to POST (hashed and sent byte for byte).
    pub body: Option<String>,
    pub tr_cont: String,
    pub kind: CallKind,
    /// The answer is handed on as it came (`request()`, `call()`): kept as its text rather
    /// than as fields.
    pub keep_text: bool,
    /// Waits in the rate limit ahead of the reads, as a POST does (B4): a lost order's lookup,
    /// which a trader waits on as on the order.
    pub ahead: bool,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// The response header `tr_cont` ("" when absent).
    pub tr_cont: String,
    /// The answer, with every secret masked.
    body: Kept,
}

/// An answer as the call's caller reads it.
#[derive(Debug, Clone)]
enum Kept {
    /// Its top-level fields, each value's text: the typed methods read a few of them, and
    /// find them here without parsing the answer again.
    Fields(OwnedObject),
    /// Its whole text, for `request()` and `call()`, which hand it on as it is: an answer of
    /// megabytes is then neither copied field by field nor written out again (issue 17's
    /// memory figure).
    Text(String),
}

/// `request()`'s and `call()`'s answer: KIS's as it came.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify), tsify(missing_as_null))]
#[serde(rename_all = "camelCase")]
pub struct RawReply {
    pub status: u16,
    pub tr_cont: String,
    #[cfg_attr(target_arch = "wasm32", tsify(type = "KisBody"))]
    pub body: Body,
}

/// A raw reply's body: KIS's answer as it came, or one the client made (a lost order's answer
/// from its row, the pages of a list joined).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Body {
    /// KIS's own text, written out as it is.
    Answer(Box<RawValue>),
    Made(Value),
}

impl Body {
    /// The body parsed whole.
    pub fn value(&self) -> Value {
        match self {
            Body::Answer(text) => serde_json::from_str(text.get()).unwrap_or_default(),
            Body::Made(v) => v.clone(),
        }
    }

    /// The body's JSON text: KIS's own, borrowed, for JS's `JSON.parse`.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Body::Answer(text) => text.get().into(),
            Body::Made(v) => v.to_string().into(),
        }
    }
}

impl std::fmt::Display for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

impl Reply {
    /// The answer parsed whole, for the paths that hand it on as it is.
    pub fn value(&self) -> Value {
        match &self.body {
            Kept::Fields(fields) => fields.value(),
            Kept::Text(text) => serde_json::from_str(text).unwrap_or_default(),
        }
    }

    /// The answer as `request()` and `call()` give it.
    pub fn into_raw(self) -> RawReply {
        let body = match self.body {
            // Read as a JSON object already, when the answer was classified.
            Kept::Text(text) => RawValue::from_string(text)
                .map(Body::Answer)
                .unwrap_or_else(|_| Body::Made(Value::Object(Default::default()))),
            // Not given by request() or call(), whose calls keep the text.
            Kept::Fields(fields) => Body::Made(fields.value()),
        };
        RawReply {
            status: self.status,
            tr_cont: self.tr_cont,
            body,
        }
    }

    /// The answer's top-level fields.
    pub fn object(&self) -> Object<'_> {
        match &self.body {
            Kept::Fields(fields) => fields.object(),
            Kept::Text(text) => Object::read(text).unwrap_or_default(),
        }
    }
}

#[derive(Debug)]
pub struct Failed {
    pub error: KisError,
    /// A write that may have reached KIS and been executed (5xx without envelope, lost
    /// connection, timeout, unreadable 2xx); never set for reads.
    pub maybe_executed: bool,
}

impl Failed {
    /// The error of a write that may have been executed, kind `orderStatusUnknown`: `what` may
    /// have reached KIS (the failure)`why`; `advice`.
    pub fn status_unknown(self, what: &str, why: &str, advice: &str) -> KisError {
        let mut e = self.error;
        e.kind = ErrorKind::OrderStatusUnknown;
        e.message = format!("{what} may have reached KIS ({}){why}; {advice}", e.message);
        e
    }
}

enum Attempt {
    Done(Reply),
    Failed {
        verdict: Verdict,
        error: KisError,
        reached: bool,
    },
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    /// Runs `call` to an answer. Reads are retried per S7 here; orders and writes come back as
    /// `Failed` with `maybe_executed` when an attempt may have reached KIS.
    pub async fn call(&self, call: &Call) -> std::result::Result<Reply, Failed> {
        let mut refreshed = false;
        let mut server_retries = 0;
        let mut busy_retries = 0;
        let mut attempt = 0;
        let final_err = |e: KisError| Failed {
            error: self.scrub(e),
            maybe_executed: false,
        };
        let mut token = self.ensure_token().await.map_err(final_err)?;
        loop {
            attempt += 1;
            let (verdict, error, reached) = match self.attempt(call, &token, attempt).await {
                Attempt::Done(reply) => return Ok(reply),
                Attempt::Failed {
                    verdict,
                    error,
                    reached,
                } => (verdict, error, reached),
            };
            let may_resend = !reached || call.kind == CallKind::Read;
            let (reason, wait) = match verdict {
                Verdict::TokenRejected if !refreshed => ("token", 0.0),
                Verdict::GatewayBusy if busy_retries < GATEWAY_BUSY_RETRIES => (
                    "rateLimit",
                    GATEWAY_BUSY_WAIT_MS * f64::from(busy_retries + 1),
                ),
                Verdict::Transient
                    if may_resend && server_retries < self.cfg.retry.server_errors =>
                {
                    let reason = match error.kind {
                        ErrorKind::Network => "network",
                        ErrorKind::Timeout => "timeout",
                        _ => "server",
                    };
                    (reason, self.cfg.retry.delay_ms)
                }
                _ => {
                    self.log_failure(call.method, &call.path, &call.tr_id, &error);
                    let maybe_executed = reached
                        && call.kind != CallKind::Read
                        && matches!(verdict, Verdict::Transient | Verdict::Decode);
                    let error = match verdict {
                        Verdict::GatewayBusy => error.with_retry_after(GATEWAY_BUSY_WAIT_MS as u64),
                        _ => error,
                    };
                    return Err(Failed {
                        error: self.scrub(error),
                        maybe_executed,
                    });
                }
            };
            self.warn(&format!(
                "KIS {} {} {} (tr_id={}) — retrying ({reason}): {}",
                call.method.as_str(),
                error
                    .status
                    .map_or_else(|| error.kind.as_str().to_string(), |s| s.to_string()),
                call.path,
                call.tr_id,
                excerpt(error.body.as_deref().unwrap_or(&error.message))
            ));
            let mut ev = self.event(EventType::Retry, &call.path, &call.tr_id);
            ev.method = Some(call.method.as_str());
            ev.attempt = Some(attempt + 1);
            ev.reason = Some(reason);
            ev.status = error.status;
            ev.msg_cd = error.msg_cd.clone();
            if wait > 0.0 {
                ev.wait_ms = Some(wait);
            }
            self.emit(ev);
            match reason {
                "token" => {
                    refreshed = true;
                    token = self
                        .refresh_after_rejection(&token)
                        .await
                        .map_err(final_err)?;
                }
                "rateLimit" => busy_retries += 1,
                _ => server_retries += 1,
            }
            if wait > 0.0 {
                self.clock.sleep(wait).await;
            }
        }
    }

    /// For callers with nothing to look up: a write that may have been executed fails as
    /// `orderStatusUnknown`, so that nobody takes it for one that was not and sends it again.
    pub async fn call_plain(&self, call: &Call) -> Result<Reply> {
        self.call(call).await.map_err(|f| {
            if f.maybe_executed {
                f.status_unknown(
                    &format!("{} {}", call.method.as_str(), call.path),
                    "",
                    "check before sending it again",
                )
            } else {
                f.error
            }
        })
    }

    async fn attempt(&self, call: &Call, token: &str, attempt: u32) -> Attempt {
        let hashkey = match (&call.body, call.method) {
            (Some(body), Method::Post) => match self.hashkey(body).await {
                Ok(h) => h,
                Err((verdict, error)) => {
                    return Attempt::Failed {
                        verdict,
                        error,
                        reached: false,
                    }
                }
            },
            _ => None,
        };
        let permit = self
            .admit(
                &call.path,
                &call.tr_id,
                call.method == Method::Post || call.ahead,
            )
            .await;
        let headers = uapi_headers(
            &self.cfg.credentials(),
            token,
            &call.tr_id,
            &call.tr_cont,
            hashkey.as_deref(),
        );
        let req = HttpRequest {
            method: call.method,
            url: url_with_query(&self.cfg.base_url, &call.path, &call.query),
            headers,
            body: call.body.clone(),
            timeout_ms: self.cfg.timeout_ms,
            max_body_bytes: self.cfg.max_response_bytes,
        };
        let mut ev = self.event(EventType::Request, &call.path, &call.tr_id);
        ev.method = Some(call.method.as_str());
        ev.attempt = Some(attempt);
        self.emit(ev);
        let started = self.clock.now_ms();
        let result = self.send(req).await;
        permit.answered(self.clock.now_ms());
        let mut ev = self.event(EventType::Response, &call.path, &call.tr_id);
        ev.method = Some(call.method.as_str());
        ev.attempt = Some(attempt);
        ev.ms = Some(self.clock.now_ms() - started);
        let resp = match result {
            Ok(r) => r,
            Err(te) => {
                self.emit(ev);
                // An answer too large to read is as unreadable as one that is not KIS's.
                let verdict = match te {
                    TransportError::TooLarge(_) => Verdict::Decode,
                    _ => Verdict::Transient,
                };
                return Attempt::Failed {
                    verdict,
                    error: transport_error(te, &call.path, &call.tr_id),
                    reached: true,
                };
            }
        };
        let c = classify(resp.status, &resp.body);
        ev.answered(resp.status, &c.codes.msg_cd);
        self.emit(ev);
        if c.verdict == Verdict::Ok {
            // An answer that echoes the key, the secret or the token must not hand them to the
            // caller (or, through a proxy holding the keys, to a page).
            let masked = self.masked_json(&resp.body);
            let tr_cont = resp
                .header("tr_cont")
                .unwrap_or("")
                .trim_ascii()
                .to_string();
            let body = match (call.keep_text, masked) {
                (true, Some(masked)) => Kept::Text(masked),
                (true, None) => Kept::Text(resp.body),
                (false, None) => {
                    Kept::Fields(c.body.as_ref().map(Object::to_owned).unwrap_or_default())
                }
                (false, Some(masked)) => Kept::Fields(
                    Object::read(&masked)
                        .map(|o| o.to_owned())
                        .unwrap_or_default(),
                ),
            };
            return Attempt::Done(Reply {
                status: resp.status,
                tr_cont,
                body,
            });
        }
        let error = response_error(&c.verdict, resp.status, &call.path, &call.tr_id, &c.codes)
            .with_body(&resp.body);
        Attempt::Failed {
            verdict: c.verdict,
            error,
            reached: true,
        }
    }

    /// S2: the hash of the exact body, or None when hashkeys are off or KIS has no endpoint.
    async fn hashkey(
        &self,
        body: &str,
    ) -> std::result::Result<Option<String>, (Verdict, KisError)> {
        if !self.cfg.hashkey || !self.shared.hashkey_supported.get() {
            return Ok(None);
        }
        // Asked only for a POST's body, which waits for it: a write's place, too.
        let permit = self.admit(HASHKEY_PATH, "", true).await;
        let req = HttpRequest {
            method: Method::Post,
            url: format!("{}{}", self.cfg.base_url, HASHKEY_PATH),
            headers: hashkey_headers(&self.cfg.credentials()),
            body: Some(body.to_string()),
            timeout_ms: self.cfg.timeout_ms,
            max_body_bytes: self.cfg.max_response_bytes,
        };
        // The hashkey call counts against the limit, so the request log shows it too.
        let mut ev = self.event(EventType::Request, HASHKEY_PATH, "");
        ev.method = Some("POST");
        self.emit(ev);
        let started = self.clock.now_ms();
        let sent = self.send(req).await;
        let now = self.clock.now_ms();
        permit.answered(now);
        let mut ev = self.event(EventType::Response, HASHKEY_PATH, "");
        ev.method = Some("POST");
        ev.ms = Some(now - started);
        ev.status = sent.as_ref().ok().map(|r| r.status);
        self.emit(ev);
        let resp = match sent {
            Ok(r) => r,
            Err(te) => return Err((Verdict::Transient, transport_error(te, HASHKEY_PATH, ""))),
        };
        if resp.status == 404 {
            self.shared.hashkey_supported.set(false);
            self.warn(
                "KIS /uapi/hashkey answered 404; sending POSTs without a hashkey from now on",
            );
            return Ok(None);
        }
        let c = classify(resp.status, &resp.body);
        let hash = c
            .body
            .as_ref()
            .and_then(|b| b.string("HASH"))
            .filter(|h| sendable(h))
            .map(String::from);
        match (&c.verdict, hash) {
            (Verdict::Ok, Some(h)) => Ok(Some(h)),
            (Verdict::Ok, None) => Err((
                Verdict::Decode,
                KisError::new(ErrorKind::Decode, "KIS hashkey answer has no HASH")
                    .with_request(HASHKEY_PATH, "")
                    .with_status(resp.status)
                    .with_body(&resp.body),
            )),
            (v, _) => {
                // A hashkey failure never reached the order endpoint, so it is never ambiguous.
                let v = if *v == Verdict::Decode {
                    Verdict::Transient
                } else {
                    v.clone()
                };
                Err((
                    v.clone(),
                    response_error(&v, resp.status, HASHKEY_PATH, "", &c.codes)
                        .with_body(&resp.body),
                ))
            }
        }
    }

    /// S4: the status, path, tr_id and body text, before the call fails; a long body is cut
    /// (an answer of megabytes would be one log line of megabytes), with its length said.
    pub(crate) fn log_failure(&self, method: Method, path: &str, tr_id: &str, e: &KisError) {
        let tr_id = match tr_id {
            "" => String::new(),
            t => format!(" (tr_id={t})"),
        };
        self.log_error(&format!(
            "KIS {} error [{}] {path}{tr_id}: {}",
            method.as_str(),
            e.status
                .map_or_else(|| e.kind.as_str().to_string(), |s| s.to_string()),
            excerpt(e.body.as_deref().unwrap_or(&e.message))
        ));
    }
}

/// How much of a body a log line shows.
pub const LOGGED_BODY_CHARS: usize = 2048;

/// `text`, or its first [`LOGGED_BODY_CHARS`] characters and its length.
fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(LOGGED_BODY_CHARS) {
        None => text.into(),
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()).into(),
    }
}

fn response_error(
    verdict: &Verdict,
    status: u16,
    path: &str,
    tr_id: &str,
    codes: &crate::envelope::Codes,
) -> KisError {
    let kind = match verdict {
        Verdict::Ok | Verdict::Decode => ErrorKind::Decode,
        Verdict::TokenRejected => ErrorKind::TokenRejected,
        Verdict::GatewayBusy | Verdict::IssueThrottled => ErrorKind::RateLimited,
        Verdict::Api => ErrorKind::Api,
        Verdict::Transient | Verdict::Http => ErrorKind::Http,
    };
    let what = match kind {
        ErrorKind::Http if status == 0 || (300..400).contains(&status) => format!(
            "KIS {path} answered with a redirect (HTTP {status}), which is never followed: KIS \
             does not redirect (check baseUrl)"
        ),
        ErrorKind::Decode => {
            format!("KIS {path} answered HTTP {status} with a body that is not KIS JSON")
        }
        _ if codes.done => format!(
            "KIS {path} answered HTTP {status} with a body that says it was done ({} {}): the \
             two disagree",
            codes.msg_cd,
            codes.msg1.trim_ascii_end()
        ),
        _ if !codes.msg_cd.is_empty() => format!(
            "KIS {path} failed: {} {} (HTTP {status})",
            codes.msg_cd,
            codes.msg1.trim_ascii_end()
        ),
        _ => format!("KIS {path} answered HTTP {status}"),
    };
    let mut e = KisError::new(kind, what)
        .with_request(path, tr_id)
        .with_status(status)
        .with_codes(&codes.msg_cd, &codes.msg1);
    if *verdict == Verdict::IssueThrottled {
        e = e.with_retry_after(60_000);
    }
    e
}
