//! Time from the JS host: `Date.now` and `setTimeout` (through gloo-timers), which Node and
//! browsers both have.

use futures::channel::oneshot;
use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;

use crate::engine::transport::Clock;

pub struct JsClock;

/// setTimeout takes a 32-bit delay; a longer wait is made of several.
fn timeout(ms: f64) -> TimeoutFuture {
    TimeoutFuture::new(ms.clamp(0.0, f64::from(i32::MAX)) as u32)
}

impl Clock for JsClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    async fn sleep(&self, ms: f64) {
        let mut left = ms;
        while left > 0.0 {
            let step = left.min(f64::from(i32::MAX));
            timeout(step).await;
            left -= step;
        }
    }
}

/// Waits that the caller can end: a token refresher's (its stop function) and a realtime
/// reconnect's (`close()`). Stopping drops the pending timer (clearing it) and ends the wait at
/// once, so that Node can exit now rather than when the interval is over.
pub struct Ticker {
    stop: futures::future::Shared<oneshot::Receiver<()>>,
}

impl Ticker {
    pub fn new() -> (Ticker, oneshot::Sender<()>) {
        let (tx, rx) = oneshot::channel();
        use futures::FutureExt;
        (Ticker { stop: rx.shared() }, tx)
    }

    /// Waits `ms`: true when they have passed, false (at once) when stopped.
    pub async fn tick(&self, ms: f64) -> bool {
        match select(timeout(ms), self.stop.clone()).await {
            Either::Left(_) => true,
            Either::Right(_) => false,
        }
    }
}
