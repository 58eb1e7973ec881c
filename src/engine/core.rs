//! The client engine: configuration plus the shared state every call goes through (token,
//! limiter, hashkey support). Its behaviour is split by concept across `token`, `call`, `paging`,
//! `orders` and `api`.

use std::cell::Cell;
use std::rc::Rc;

use crate::engine::config::Config;
use crate::engine::rate_limit::{Gate, RateLimiter};
use crate::engine::shared::Shared;
use crate::engine::transport::{
    Clock, HttpRequest, HttpResponse, TokenStore, Transport, TransportError,
};
use crate::env::kis_host_env;
use crate::events::{EventType, KisEvent, Observer};
use crate::redact::Redactor;

pub struct KisCore<T, C, S> {
    pub(crate) cfg: Config,
    pub(crate) transport: T,
    pub(crate) clock: C,
    pub(crate) store: S,
    pub(crate) observer: Rc<dyn Observer>,
    pub(crate) redactor: Redactor,
    /// What it shares with the other clients of its app key (`engine::shared`).
    pub(crate) shared: Rc<Shared>,
    /// Whether `onEvent` has thrown (and been logged) already.
    event_threw: Cell<bool>,
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    /// A client with state of its own.
    pub fn new(cfg: Config, transport: T, clock: C, store: S, observer: Rc<dyn Observer>) -> Self {
        let shared = Rc::new(Shared::new(&cfg));
        Self::sharing(shared, cfg, transport, clock, store, observer)
    }

    /// A client on `shared`, the state of its app key (`Registry::join`).
    pub fn sharing(
        shared: Rc<Shared>,
        cfg: Config,
        transport: T,
        clock: C,
        store: S,
        observer: Rc<dyn Observer>,
    ) -> Self {
        let redactor = Redactor::new(&[&cfg.app_key, &cfg.app_secret]);
        let core = KisCore {
            cfg,
            transport,
            clock,
            store,
            observer,
            redactor,
            shared,
            event_threw: Cell::new(false),
        };
        core.warn_of_a_limit_past_kis();
        core
    }

    /// B4: a limit past KIS's own is the caller's to set (an arrangement with KIS, a limit
    /// raised since), but against KIS's own host every call past KIS's published limit is
    /// refused `EGW00201` and waited out a second or more, which looks like a slow client
    /// rather than a setting. Said once, when the client is made. Elsewhere (a proxy, a mock)
    /// the limit is not known.
    fn warn_of_a_limit_past_kis(&self) {
        let (rate, env) = (self.cfg.rate_limit_per_sec, self.cfg.env);
        let kis = env.default_rate_limit();
        if kis_host_env(&self.cfg.base_url).is_some() && rate > kis {
            self.warn(&format!(
                "options.rateLimitPerSec is {rate}, past KIS's published limit for a {} \
                 account, {kis} a second: KIS refuses the calls past it (EGW00201), \
                 and the client waits each out a second or more",
                env.as_str()
            ));
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// A listener that throws is the caller's bug, which would otherwise go unseen: said once
    /// a client, and the call goes on.
    pub(crate) fn emit(&self, e: KisEvent) {
        if !self.observer.listening() {
            return;
        }
        if let Err(why) = self.observer.event(&e) {
            if !self.event_threw.replace(true) {
                self.warn(&format!(
                    "options.onEvent threw ({why}); the client goes on, and its later throws \
                     are not logged"
                ));
            }
        }
    }

    /// An event to fill in and `emit`; its strings are copied only when someone listens.
    pub(crate) fn event(&self, kind: EventType, path: &str, tr_id: &str) -> KisEvent {
        let mut e = KisEvent::new(kind);
        if self.observer.listening() {
            e.path = Some(path.to_string());
            if !tr_id.is_empty() {
                e.tr_id = Some(tr_id.to_string());
            }
        }
        e
    }

    /// Log lines are masked, and shown as `error::printable` writes them: what KIS or the
    /// caller put in one cannot forge another line or recolour a console.
    pub(crate) fn warn(&self, line: &str) {
        self.observer
            .warn(&crate::error::printable(&self.redact(line)));
    }

    pub(crate) fn log_error(&self, line: &str) {
        self.observer
            .error(&crate::error::printable(&self.redact(line)));
    }

    /// `text` without any token of this client's app key, or the key and secret. Tokens
    /// first, as the redactor masks the longest first: a token (a JWT of ~350 bytes) is longer
    /// than either.
    pub fn redact(&self, text: &str) -> String {
        self.masked(text).into_owned()
    }

    /// `text` with every secret masked; borrowed when it holds none.
    fn masked<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        use std::borrow::Cow;
        match self.shared.tokens.masked(text) {
            Cow::Borrowed(t) => self.redactor.masked(t),
            Cow::Owned(t) => Cow::Owned(self.redactor.masked(&t).into_owned()),
        }
    }

    /// Every request of the client goes out here: through the transport, with the limit on
    /// answers held again for transports that do not keep it themselves (a test's fake).
    pub(crate) async fn send(
        &self,
        req: HttpRequest,
    ) -> std::result::Result<HttpResponse, TransportError> {
        let limit = self.cfg.max_response_bytes;
        match self.transport.send(req).await {
            Ok(r) if r.body.len() > limit => Err(TransportError::TooLarge(limit)),
            other => other,
        }
    }

    /// A KIS answer's JSON text with every secret masked in its strings, keys included; None
    /// when it spells none, as nearly every answer does.
    pub(crate) fn masked_json(&self, text: &str) -> Option<String> {
        if let std::borrow::Cow::Borrowed(_) = self.masked(text) {
            return None;
        }
        // Masked string by string rather than in the text, where a secret spelled from inside
        // an escape (`\\u0050…`) would leave half of the escape behind and break the JSON.
        Some(match serde_json::from_str::<serde_json::Value>(text) {
            Ok(mut v) => {
                self.redact_value(&mut v);
                v.to_string()
            }
            Err(_) => self.redact(text),
        })
    }

    /// Masks secrets in every string of a KIS answer, keys included.
    pub(crate) fn redact_value(&self, v: &mut serde_json::Value) {
        use serde_json::Value;
        match v {
            Value::String(s) => {
                if let std::borrow::Cow::Owned(masked) = self.masked(s) {
                    *s = masked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.redact_value(i)),
            Value::Object(map) => {
                if map
                    .keys()
                    .any(|k| matches!(self.masked(k), std::borrow::Cow::Owned(_)))
                {
                    *map = std::mem::take(map)
                        .into_iter()
                        .map(|(k, v)| (self.redact(&k), v))
                        .collect();
                }
                map.values_mut().for_each(|i| self.redact_value(i));
            }
            _ => {}
        }
    }

    /// Masks secrets in an error (`KisError::masked_with`) before it leaves the engine.
    pub(crate) fn scrub(&self, e: crate::error::KisError) -> crate::error::KisError {
        e.masked_with(|t| self.redact(t))
    }

    /// Waits for a rate-limit slot (B4), reporting the wait when there is one; a `write` (a POST)
    /// goes ahead of the reads still waiting. The caller tells the permit when the answer came.
    pub(crate) async fn admit(&self, path: &str, tr_id: &str, write: bool) -> Permit<'_> {
        // A client with no limit stays out of the limiter it shares with stricter ones.
        if self.cfg.rate_limit_per_sec == 0 {
            return Permit {
                limiter: None,
                ticket: 0,
            };
        }
        let limiter = &self.shared.limiter;
        let ticket = limiter.ticket(write);
        // Until the ticket leaves, a dropped future must give its place up.
        let permit = Permit {
            limiter: Some(limiter),
            ticket,
        };
        let mut reported = false;
        loop {
            let now = self.clock.now_ms();
            let gate = limiter.check(ticket, now);
            if gate != Gate::Go && !reported {
                reported = true;
                let mut e = self.event(EventType::RateLimitWait, path, tr_id);
                e.wait_ms = Some(match gate {
                    Gate::WaitUntil(at) => at - now,
                    _ => limiter.estimate(ticket, now),
                });
                self.emit(e);
            }
            match gate {
                Gate::Go => {
                    limiter.sent(ticket, now);
                    return permit;
                }
                Gate::WaitUntil(at) => self.clock.sleep(at - now).await,
                Gate::WaitForChange => limiter.changed().await,
            }
        }
    }
}

/// A call's place in the rate limit (none for a client without one); `answered` frees it a
/// window later. Dropped unanswered (a cancelled future), it counts as answered at its send
/// time, the most a caller can know.
pub(crate) struct Permit<'a> {
    limiter: Option<&'a RateLimiter>,
    ticket: u64,
}

impl Permit<'_> {
    pub(crate) fn answered(mut self, now: f64) {
        if let Some(limiter) = self.limiter.take() {
            limiter.done(self.ticket, now);
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(limiter) = self.limiter {
            limiter.abandon(self.ticket);
        }
    }
}
