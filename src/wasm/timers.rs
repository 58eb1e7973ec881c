//! Time from the JS host: `Date.now` and `setTimeout`, which exist in Node and browsers alike.

use crate::engine::transport::Clock;
use crate::wasm::abi;
use crate::wasm::tasks::{Answer, IoWait};

pub struct JsClock;

impl Clock for JsClock {
    fn now_ms(&self) -> f64 {
        // SAFETY: a plain import call.
        unsafe { abi::now() }
    }

    async fn sleep(&self, ms: f64) {
        if ms <= 0.0 {
            return;
        }
        let wait = IoWait::new();
        // SAFETY: a plain import call.
        unsafe { abi::sleep(wait.id(), ms) };
        wait.await;
    }
}

/// The intervals of a token refresher, whose stop function lives in the glue: stopping clears
/// the pending timer and ends the wait at once, so that Node can exit now rather than when the
/// interval is over.
pub struct Ticker(pub u32);

impl Ticker {
    /// Waits `ms`: true when they have passed, false (at once) when stopped.
    pub async fn tick(&self, ms: f64) -> bool {
        let wait = IoWait::new();
        // SAFETY: a plain import call.
        unsafe { abi::tick(self.0, wait.id(), ms) };
        matches!(wait.await, Answer::Flag(true))
    }
}
