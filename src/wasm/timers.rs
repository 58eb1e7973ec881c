//! Time from the JS host: `Date.now` and `setTimeout` (through gloo-timers), which Node and
//! browsers both have.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

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
    background: bool,
}

impl Ticker {
    /// A wait that keeps Node running, as a reconnect must: the caller is waiting on its events.
    pub fn new() -> (Ticker, oneshot::Sender<()>) {
        Ticker::with(false)
    }

    /// A wait in the background, which does not keep Node running by itself: a script that
    /// starts the token refresher ends when its own work does, as it would without one.
    pub fn background() -> (Ticker, oneshot::Sender<()>) {
        Ticker::with(true)
    }

    fn with(background: bool) -> (Ticker, oneshot::Sender<()>) {
        let (tx, rx) = oneshot::channel();
        use futures::FutureExt;
        let stop = rx.shared();
        (Ticker { stop, background }, tx)
    }

    /// Waits `ms`: true when they have passed, false (at once) when stopped.
    pub async fn tick(&self, ms: f64) -> bool {
        let stop = self.stop.clone();
        if self.background {
            matches!(select(Unrefed::new(ms), stop).await, Either::Left(_))
        } else {
            matches!(select(timeout(ms), stop).await, Either::Left(_))
        }
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// A timer that Node does not wait for: its handle is `unref()`ed. gloo-timers keeps the handle
/// to itself, so this one calls `setTimeout` through a binding of its own. A browser's handle is
/// a number, with nothing to unref: a page does not end while it is open.
struct Unrefed {
    handle: JsValue,
    fired: JsFuture,
}

impl Unrefed {
    fn new(ms: f64) -> Unrefed {
        let ms = ms.clamp(0.0, f64::from(i32::MAX)) as i32;
        let mut handle = JsValue::UNDEFINED;
        let fired = Promise::new(&mut |resolve, _| handle = set_timeout(&resolve, ms));
        if let Some(unref) = Reflect::get(&handle, &JsValue::from_str("unref"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            let _ = unref.call0(&handle);
        }
        Unrefed {
            handle,
            fired: JsFuture::from(fired),
        }
    }
}

impl Future for Unrefed {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.fired).poll(cx).map(|_| ())
    }
}

impl Drop for Unrefed {
    /// A refresher stopped mid-wait leaves no timer behind.
    fn drop(&mut self) {
        clear_timeout(&self.handle);
    }
}
