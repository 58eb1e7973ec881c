//! The client engine: configuration plus the shared state every call goes through (token,
//! limiter, hashkey support). Its behaviour is split by concept across `token`, `call`, `paging`,
//! `orders` and `api`.

use crate::prelude::*;

use crate::cell::RefCell;
use alloc::rc::Rc;
use core::cell::Cell;

use crate::engine::config::Config;
use crate::engine::rate_limit::{Gate, RateLimiter};
use crate::engine::sending::Sending;
use crate::engine::single_flight::SingleFlight;
use crate::engine::token::Token;
use crate::engine::transport::{Clock, TokenStore, Transport};
use crate::error::Result;
use crate::events::{EventType, KisEvent, Observer};
use crate::redact::Redactor;

pub struct KisCore<T, C, S> {
    pub(crate) cfg: Config,
    pub(crate) transport: T,
    pub(crate) clock: C,
    pub(crate) store: S,
    pub(crate) observer: Rc<dyn Observer>,
    pub(crate) redactor: Redactor,
    pub(crate) token: RefCell<Option<Token>>,
    /// When a token was last minted by KIS (or, for a stored one, when it was): B2's minute.
    pub(crate) last_issue_at: Cell<Option<f64>>,
    pub(crate) token_flight: SingleFlight<Result<Token>>,
    /// The last token KIS rejected: never taken back from the store, which may still hold it.
    pub(crate) rejected_token: RefCell<Option<String>>,
    pub(crate) limiter: RateLimiter,
    /// Cleared when `/uapi/hashkey` answers 404 (it vanished from KIS's 2026-06 workbook).
    pub(crate) hashkey_supported: Cell<bool>,
    /// The order numbers this client has been told about today (KST), so reconciliation never
    /// mistakes an earlier order of ours for the one whose answer was lost. Only today's: the
    /// lookup reads today's orders alone, an order number names an order within its day (KIS's
    /// views and cancels take the day with it), and a client that runs for weeks stays small.
    pub(crate) known_orders: RefCell<(String, Vec<String>)>,
    pub(crate) orders_sending: Sending,
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    pub fn new(cfg: Config, transport: T, clock: C, store: S, observer: Rc<dyn Observer>) -> Self {
        let redactor = Redactor::new(&[&cfg.app_key, &cfg.app_secret]);
        KisCore {
            limiter: RateLimiter::new(cfg.rate_limit_per_sec),
            cfg,
            transport,
            clock,
            store,
            observer,
            redactor,
            token: RefCell::new(None),
            last_issue_at: Cell::new(None),
            token_flight: SingleFlight::default(),
            rejected_token: RefCell::new(None),
            hashkey_supported: Cell::new(true),
            known_orders: RefCell::new((String::new(), Vec::new())),
            orders_sending: Sending::default(),
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub(crate) fn emit(&self, e: KisEvent) {
        if self.observer.listening() {
            self.observer.event(&e);
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

    pub(crate) fn warn(&self, line: &str) {
        self.observer.warn(&self.redactor.redact(line));
    }

    pub(crate) fn log_error(&self, line: &str) {
        self.observer.error(&self.redactor.redact(line));
    }

    /// Masks secrets in an error's message and body before it leaves the engine.
    pub(crate) fn scrub(&self, mut e: crate::error::KisError) -> crate::error::KisError {
        e.message = self.redactor.redact(&e.message);
        e.body = e.body.take().map(|b| self.redactor.redact(&b));
        e.msg1 = e.msg1.take().map(|m| self.redactor.redact(&m));
        if let Some(c) = e.cause.as_mut() {
            c.message = self.redactor.redact(&c.message);
        }
        e
    }

    /// Waits for a rate-limit slot (B4), reporting the wait when there is one. The caller tells
    /// the permit when the answer came.
    pub(crate) async fn admit(&self, path: &str, tr_id: &str) -> Permit<'_> {
        let ticket = self.limiter.ticket();
        // Until the ticket leaves, a dropped future must give its place up.
        let permit = Permit {
            limiter: &self.limiter,
            ticket,
            answered: false,
        };
        let mut reported = false;
        loop {
            let now = self.clock.now_ms();
            let gate = self.limiter.check(ticket, now);
            if gate != Gate::Go && !reported {
                reported = true;
                let mut e = self.event(EventType::RateLimitWait, path, tr_id);
                e.wait_ms = Some(match gate {
                    Gate::WaitUntil(at) => at - now,
                    _ => self.limiter.estimate(ticket, now),
                });
                self.emit(e);
            }
            match gate {
                Gate::Go => {
                    self.limiter.sent(ticket, now);
                    return permit;
                }
                Gate::WaitUntil(at) => self.clock.sleep(at - now).await,
                Gate::WaitForChange => self.limiter.changed().await,
            }
        }
    }
}

/// A call's place in the rate limit; `answered` frees it a window later. Dropped unanswered
/// (a cancelled future), it counts as answered at its send time, the most a caller can know.
pub(crate) struct Permit<'a> {
    limiter: &'a RateLimiter,
    ticket: u64,
    answered: bool,
}

impl Permit<'_> {
    pub(crate) fn answered(mut self, now: f64) {
        self.answered = true;
        self.limiter.done(self.ticket, now);
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if !self.answered {
            self.limiter.abandon(self.ticket);
        }
    }
}
