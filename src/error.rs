//! The one error type of the crate. Its `kind` tells a caller what happened and whether a retry
//! button makes sense (ccxt's split of "never retry" from "may be transient").

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

/// What went wrong, as `KisError.kind` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// Bad input, caught before any request was sent.
    Validation,
    /// A non-2xx answer without a KIS envelope (gateway page, empty or cut body).
    Http,
    /// KIS answered with `rt_cd` other than "0" (or a tokenP `error_code`).
    Api,
    /// The request never got an answer (dropped connection, DNS, CORS).
    Network,
    /// The per-attempt timeout fired.
    Timeout,
    /// A 2xx answer whose body is not the JSON KIS sends.
    Decode,
    /// KIS refused for rate reasons and the client gave up (or must not retry, EGW00133).
    RateLimited,
    /// KIS rejected the token even after the one permitted refresh.
    TokenRejected,
    /// An order, a cancel or a POST through `request()` may have reached KIS, and the client
    /// could not tell.
    OrderStatusUnknown,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Http => "http",
            ErrorKind::Api => "api",
            ErrorKind::Network => "network",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Decode => "decode",
            ErrorKind::RateLimited => "rateLimited",
            ErrorKind::TokenRejected => "tokenRejected",
            ErrorKind::OrderStatusUnknown => "orderStatusUnknown",
        }
    }
}

/// What a transport failed with: its message, masked like the rest of the error. The
/// original JS error is not kept: its message or stack may hold a secret that the caller's
/// fetch put there, and `console.error(e)` prints a cause in full.
#[derive(Debug, Clone)]
pub struct Cause {
    /// The JS error's `name` ("TypeError"), when it had one.
    pub name: String,
    pub message: String,
}

/// Boxed so that `Result<T, KisError>` stays one pointer wide on the hot path; fields are reached
/// through `Deref`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.message)]
pub struct KisError(Box<ErrorDetails>);

#[derive(Debug, Clone)]
pub struct ErrorDetails {
    pub kind: ErrorKind,
    pub message: String,
    /// The input field at fault, for validation errors.
    pub field: Option<String>,
    pub status: Option<u16>,
    pub msg_cd: Option<String>,
    pub msg1: Option<String>,
    pub tr_id: Option<String>,
    pub path: Option<String>,
    /// The response body text as received (redacted), where there was one.
    pub body: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub cause: Option<Cause>,
}

impl KisError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        KisError(Box::new(ErrorDetails {
            kind,
            message: message.into(),
            field: None,
            status: None,
            msg_cd: None,
            msg1: None,
            tr_id: None,
            path: None,
            body: None,
            retry_after_ms: None,
            cause: None,
        }))
    }

    pub fn into_details(self) -> ErrorDetails {
        *self.0
    }

    pub fn validation(field: &str, message: impl fmt::Display) -> Self {
        let mut e = KisError::new(ErrorKind::Validation, format!("{field}: {message}"));
        e.field = Some(field.to_string());
        e
    }

    pub fn with_request(mut self, path: &str, tr_id: &str) -> Self {
        self.path = Some(path.to_string());
        if !tr_id.is_empty() {
            self.tr_id = Some(tr_id.to_string());
        }
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The error with `mask` applied to every text a secret could be quoted in: the message,
    /// the field's name, KIS's `msg1`, the body and the cause's message.
    pub fn masked_with(mut self, mask: impl Fn(&str) -> String) -> Self {
        self.message = mask(&self.message);
        self.field = self.field.take().map(|f| mask(&f));
        self.msg1 = self.msg1.take().map(|m| mask(&m));
        self.body = self.body.take().map(|b| mask(&b));
        if let Some(c) = self.cause.as_mut() {
            c.message = mask(&c.message);
        }
        self
    }

    pub fn with_body(mut self, body: &str) -> Self {
        self.body = Some(body.to_string());
        self
    }

    pub fn with_codes(mut self, msg_cd: &str, msg1: &str) -> Self {
        if !msg_cd.is_empty() {
            self.msg_cd = Some(msg_cd.to_string());
        }
        if !msg1.is_empty() {
            self.msg1 = Some(msg1.trim_ascii_end().to_string());
        }
        self
    }

    pub fn with_cause(mut self, cause: Option<Cause>) -> Self {
        self.cause = cause;
        self
    }

    pub fn with_retry_after(mut self, ms: u64) -> Self {
        self.retry_after_ms = Some(ms);
        self
    }
}

impl std::ops::Deref for KisError {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for KisError {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

pub type Result<T> = std::result::Result<T, KisError>;

/// The longest text a message or a log line is shown with; past it the middle is left out.
/// Either end says what went wrong and what to do; a caller's or a server's long value between
/// them is what gets cut.
const SHOWN_CHARS: usize = 2000;
const SHOWN_HEAD: usize = 1200;
const SHOWN_TAIL: usize = 600;

/// `text` as it may be shown to a person: an error's message or a log line. A value the caller
/// passed or KIS sent may hold a newline or a terminal's escape (a forged log line, a recoloured
/// console) or a bidirectional override (text shown in another order than it reads): each is
/// written as its escape (`\n`, `\u{1b}`, `\u{202e}`), and printable text, Korean included, is
/// left as it is.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
    };
    let long = text.len() > SHOWN_CHARS && text.chars().count() > SHOWN_CHARS;
    if !long && !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let escaped = |part: &str| {
        let mut out = String::with_capacity(part.len());
        for c in part.chars() {
            if unsafe_char(c) {
                out.extend(c.escape_default());
            } else {
                out.push(c);
            }
        }
        out
    };
    if !long {
        return Cow::Owned(escaped(text));
    }
    let count = text.chars().count();
    let head_end = text
        .char_indices()
        .nth(SHOWN_HEAD)
        .map_or(text.len(), |(i, _)| i);
    let tail_start = text
        .char_indices()
        .nth(count - SHOWN_TAIL)
        .map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!(
        "{} … ({} characters left out) … {}",
        escaped(&text[..head_end]),
        count - SHOWN_HEAD - SHOWN_TAIL,
        escaped(&text[tail_start..])
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_is_left_as_it_is() {
        let text = "order.symbol: must be a 6-character KRX code, got \"삼성전자\" (KIS: 주문가능금액을 초과)";
        assert!(matches!(printable(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn a_newline_an_escape_and_a_bidirectional_override_are_written_as_escapes() {
        assert_eq!(
            printable("got \"X\n[kis] order placed\u{1b}[31m \u{202e}dlos\u{2028}\t\u{85}\""),
            "got \"X\\n[kis] order placed\\u{1b}[31m \\u{202e}dlos\\u{2028}\\t\\u{85}\""
        );
    }

    #[test]
    fn a_long_text_keeps_both_ends_and_says_how_much_is_left_out() {
        let value = "가".repeat(100_000);
        let text = format!(
            "symbol: must be a KRX code, got \"{value}\n\"; check it before placing it again"
        );
        let shown = printable(&text);
        let left_out = format!(
            " … ({} characters left out) … ",
            text.chars().count() - 1800
        );
        assert!(shown.contains(&left_out), "{left_out}");
        // The ends as they were, but for the newline, which is escaped (one character more).
        assert_eq!(
            shown.chars().count(),
            SHOWN_HEAD + SHOWN_TAIL + left_out.chars().count() + 1
        );
        assert!(shown.starts_with("symbol: must be a KRX code, got \"가가"));
        assert!(shown.ends_with("가가\\n\"; check it before placing it again"));
        // At the limit, nothing is left out.
        let edge = "a".repeat(SHOWN_CHARS);
        assert!(matches!(printable(&edge), Cow::Borrowed(_)));
    }

    #[test]
    fn a_clone_keeps_every_field() {
        let e = KisError::validation("order.price", "must be a whole number")
            .with_request("/uapi/x", "TTTC0012U")
            .with_status(500)
            .with_body("{\"rt_cd\":\"1\"}")
            .with_codes("EGW00123", "token expired")
            .with_retry_after(1000)
            .with_cause(Some(Cause {
                name: "TypeError".into(),
                message: "socket hang up".into(),
            }));
        let c = e.clone();
        assert_eq!(format!("{:?}", c.0), format!("{:?}", e.0));
        assert_eq!(c.field.as_deref(), Some("order.price"));
        assert_eq!(c.msg1.as_deref(), Some("token expired"));
        assert_eq!(
            c.cause.as_ref().map(|c| c.message.as_str()),
            Some("socket hang up")
        );
    }
}
