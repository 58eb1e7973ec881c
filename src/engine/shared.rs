//! What the clients of one app key in a process hold in common. KIS counts the rate limit and
//! the minute between token issuances per app key, not per client: two clients that each kept
//! their own would trip EGW00201 together, and the second one's first call would meet EGW00133
//! (a rejection for a minute) although the first one holds a good token. A script or a server
//! that makes a client per task or per request is exactly that case.
//!
//! So clients that agree on base URL, app key and secret, and reach KIS the same way (in the
//! package, through the same `fetch` function), share one token (with its single flight, its
//! minute, and the masking of every token any of them holds), one rate limiter, hashkey support,
//! and the order bookkeeping of B5, whose lookups then tell the orders of one client from
//! another's. The state outlives its clients, so a client made later starts with the token an
//! earlier one was issued. The way to KIS is part of the identity for tests: a fake `fetch` per
//! test is a KIS of its own, whose tokens no other test's client may take.

use std::cell::Cell;
use std::cell::RefCell;
use std::rc::Rc;

use crate::engine::config::Config;
use crate::engine::rate_limit::RateLimiter;
use crate::engine::sending::Sending;
use crate::engine::single_flight::SingleFlight;
use crate::error::Result;
use crate::order_books::Book;
use crate::redact::Redactor;
use crate::token::{fnv1a64, Token};

pub struct Shared {
    /// A hash of what must agree, so that the state holds no credentials past its clients.
    identity: u64,
    pub(crate) token: RefCell<Option<Token>>,
    /// Every token these clients were issued or found, to mask in what any of them writes out
    /// (each client masks its own app key and secret).
    pub(crate) tokens: Redactor,
    /// When a token was last minted by KIS (or, for a stored one, when it was): B2's minute.
    pub(crate) last_issue_at: Cell<Option<f64>>,
    pub(crate) token_flight: SingleFlight<Result<Token>>,
    /// The last token KIS rejected: never taken back from the store, which may still hold it.
    pub(crate) rejected_token: RefCell<Option<String>>,
    /// The strictest `rateLimitPerSec` of the clients sharing it (a client with 0 stays out).
    pub(crate) limiter: RateLimiter,
    /// Cleared when `/uapi/hashkey` answers 404 (it vanished from KIS's 2026-06 workbook).
    pub(crate) hashkey_supported: Cell<bool>,
    /// The order numbers these clients have been told about today (KST), so reconciliation never
    /// mistakes an earlier order of ours for the one whose answer was lost. Only today's: the
    /// lookup reads today's orders alone, an order number names an order within its day (KIS's
    /// views and cancels take the day with it), and a client that runs for weeks stays small.
    /// Each with the book whose list shows it (`order_books`): markets number their orders
    /// apart.
    pub(crate) known_orders: RefCell<(String, Vec<(&'static Book, String)>)>,
    pub(crate) orders_sending: Sending,
    /// The realtime socket's approval key, once issued (masked like the tokens), with when it
    /// was, and its single flight: any number of subscribers make one request.
    pub(crate) approval_key: RefCell<Option<(String, f64)>>,
    pub(crate) approval_flight: SingleFlight<Result<String>>,
    /// How many of these clients' realtime connections hold a socket: KIS allows one session
    /// an app key, and the binding warns of a second.
    realtime_sockets: Cell<u32>,
}

impl Shared {
    /// A realtime connection of these clients took its first socket; true when another was
    /// open already (KIS allows one session an app key).
    pub fn realtime_opened(&self) -> bool {
        let open = self.realtime_sockets.get();
        self.realtime_sockets.set(open + 1);
        open > 0
    }

    /// One that had taken a socket was closed by its caller.
    pub fn realtime_closed(&self) {
        let open = self.realtime_sockets.get();
        self.realtime_sockets.set(open.saturating_sub(1));
    }

    /// State of its own, for a client outside any registry.
    pub fn new(cfg: &Config) -> Shared {
        Shared::with_identity(identity(cfg, 0), cfg)
    }

    fn with_identity(identity: u64, cfg: &Config) -> Shared {
        Shared {
            identity,
            token: RefCell::new(None),
            tokens: Redactor::default(),
            last_issue_at: Cell::new(None),
            token_flight: SingleFlight::default(),
            rejected_token: RefCell::new(None),
            limiter: RateLimiter::new(cfg.rate_limit_per_sec),
            hashkey_supported: Cell::new(true),
            known_orders: RefCell::new((String::new(), Vec::new())),
            orders_sending: Sending::default(),
            approval_key: RefCell::new(None),
            approval_flight: SingleFlight::default(),
            realtime_sockets: Cell::new(0),
        }
    }
}

fn identity(cfg: &Config, way: u32) -> u64 {
    // No env: one base URL is one KIS (a proxy forwards to one upstream), and KIS gives real and
    // mock accounts keys of their own.
    let text = fnv1a64(&format!(
        "{}\n{}\n{}",
        cfg.base_url, cfg.app_key, cfg.app_secret
    ));
    // Mixed in by a multiplier of full period, so that ways 1 and 2 differ in every bit range.
    text ^ u64::from(way).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// How many states the registry keeps before it lets unused ones go (those of live clients are
/// always kept).
const KEPT: usize = 16;

/// The shared states of a process, one per identity: those of live clients, and the last few
/// whose clients are gone (a few hundred bytes each).
#[derive(Default)]
pub struct Registry(RefCell<Vec<Rc<Shared>>>);

impl Registry {
    pub const fn new() -> Registry {
        Registry(RefCell::new(Vec::new()))
    }

    /// The state for a client of `cfg` that reaches KIS by `way` (a number the caller gives each
    /// transport), joining the one its identity already has.
    pub fn join(&self, cfg: &Config, way: u32) -> Rc<Shared> {
        let id = identity(cfg, way);
        let mut states = self.0.borrow_mut();
        if let Some(s) = states.iter().find(|s| s.identity == id) {
            s.limiter.tighten(cfg.rate_limit_per_sec);
            return s.clone();
        }
        // States no client holds any more wait for a later client, but not without end: a
        // caller that makes a `fetch` function per client makes a new identity each time. Past
        // `KEPT` states, a new one takes an unused one's place.
        let s = Rc::new(Shared::with_identity(id, cfg));
        let full = states.len() >= KEPT;
        match states
            .iter_mut()
            .find(|x| Rc::strong_count(x) == 1)
            .filter(|_| full)
        {
            Some(slot) => *slot = s.clone(),
            None => states.push(s.clone()),
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn cfg() -> Config {
        let v = serde_json::json!({"appKey": "PSkey", "appSecret": "secret", "env": "mock"});
        Config::from_value(&v).unwrap()
    }

    #[test]
    fn one_state_per_identity_and_only_the_last_few_unused_ones_kept() {
        let r = Registry::new();
        let held = r.join(&cfg(), 1);
        assert!(Rc::ptr_eq(&held, &r.join(&cfg(), 1)));
        // A fetch function per client: a new identity each time, let go at once.
        for way in 2..40 {
            // A mark to know the state again by.
            r.join(&cfg(), way).hashkey_supported.set(false);
        }
        let states = r.0.borrow();
        assert_eq!(states.len(), KEPT, "the held one and the last unused ones");
        assert!(states.iter().any(|s| Rc::ptr_eq(s, &held)));
        drop(states);
        // The newest unused state is still there for a later client of its identity.
        assert!(!r.join(&cfg(), 39).hashkey_supported.get(), "not made anew");
        assert!(
            r.join(&cfg(), 2).hashkey_supported.get(),
            "the oldest went, so made anew"
        );
        assert_eq!(r.0.borrow().len(), KEPT);
    }
}
