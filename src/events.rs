//! What the client reports while it works: structured events for a request log, and the log
//! lines the seed asks for (S4). Nothing here may carry a secret: events hold only method, path,
//! TR ID, status and timings, and log lines pass through the redactor first.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum EventType {
    Request,
    Response,
    Retry,
    RateLimitWait,
    Token,
}

/// What `onEvent` receives; absent parts are left out rather than null.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct KisEvent {
    #[serde(rename = "type")]
    pub kind: EventType,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub tr_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub attempt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub wait_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub msg_cd: Option<String>,
    /// Why: for `retry` ("token", "server", "network", "timeout", "rateLimit", "lookup"), for
    /// `token` ("issued", "stored", "refreshed", "revoked").
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub reason: Option<&'static str>,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Request => "request",
            EventType::Response => "response",
            EventType::Retry => "retry",
            EventType::RateLimitWait => "rateLimitWait",
            EventType::Token => "token",
        }
    }
}

impl KisEvent {
    /// The answer's status, and KIS's code when it gave one.
    pub fn answered(&mut self, status: u16, msg_cd: &str) {
        self.status = Some(status);
        if !msg_cd.is_empty() {
            self.msg_cd = Some(msg_cd.to_string());
        }
    }

    pub fn new(kind: EventType) -> Self {
        KisEvent {
            kind,
            method: None,
            path: None,
            tr_id: None,
            status: None,
            attempt: None,
            wait_ms: None,
            ms: None,
            msg_cd: None,
            reason: None,
        }
    }
}

/// Where events and log lines go: the wasm layer forwards them to `onEvent` and `logger`; tests
/// record them.
pub trait Observer {
    /// Whether events are wanted at all; when not, the engine skips building them.
    fn listening(&self) -> bool {
        true
    }
    /// Err: what the listener threw, in words (its message).
    fn event(&self, event: &KisEvent) -> Result<(), String>;
    fn warn(&self, line: &str);
    fn error(&self, line: &str);
}

/// Discards everything.
pub struct Silent;

impl Observer for Silent {
    fn listening(&self) -> bool {
        false
    }
    fn event(&self, _: &KisEvent) -> Result<(), String> {
        Ok(())
    }
    fn warn(&self, _: &str) {}
    fn error(&self, _: &str) {}
}
