//! What the client reports while it works: structured events for a request log, and the log
//! lines the seed asks for (S4). Nothing here may carry a secret: events hold only method, path,
//! TR ID, status and timings, and log lines pass through the redactor first.

use crate::prelude::*;

use crate::json::{Obj, ToJson};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Request,
    Response,
    Retry,
    RateLimitWait,
    Token,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KisEvent {
    pub kind: EventType,
    pub method: Option<&'static str>,
    pub path: Option<String>,
    pub tr_id: Option<String>,
    pub status: Option<u16>,
    pub attempt: Option<u32>,
    pub wait_ms: Option<f64>,
    pub ms: Option<f64>,
    pub msg_cd: Option<String>,
    /// Why: for `retry` ("token", "server", "network", "timeout", "rateLimit", "lookup"), for
    /// `token` ("issued", "stored", "refreshed").
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

impl ToJson for KisEvent {
    /// Absent parts are left out rather than null.
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("type", &self.kind.as_str())
            .opt("method", self.method.as_ref().map(|v| v as &dyn ToJson))
            .opt("path", self.path.as_ref().map(|v| v as &dyn ToJson))
            .opt("trId", self.tr_id.as_ref().map(|v| v as &dyn ToJson))
            .opt("status", self.status.as_ref().map(|v| v as &dyn ToJson))
            .opt("attempt", self.attempt.as_ref().map(|v| v as &dyn ToJson))
            .opt("waitMs", self.wait_ms.as_ref().map(|v| v as &dyn ToJson))
            .opt("ms", self.ms.as_ref().map(|v| v as &dyn ToJson))
            .opt("msgCd", self.msg_cd.as_ref().map(|v| v as &dyn ToJson))
            .opt("reason", self.reason.as_ref().map(|v| v as &dyn ToJson))
            .end();
    }
}

impl KisEvent {
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
    fn event(&self, event: &KisEvent);
    fn warn(&self, line: &str);
    fn error(&self, line: &str);
}

/// Discards everything.
pub struct Silent;

impl Observer for Silent {
    fn listening(&self) -> bool {
        false
    }
    fn event(&self, _: &KisEvent) {}
    fn warn(&self, _: &str) {}
    fn error(&self, _: &str) {}
}
