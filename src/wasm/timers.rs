//! Time from the JS host: Date.now and setTimeout, which exist in Node and browsers alike.

use js_sys::{Array, Date, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::transport::Clock;
use crate::wasm::tasks::JsAwait;

// A ticker's pending timer is cleared by its stop function, which also ends the wait at once:
// stopping must let Node exit now, not when the interval is over.
#[wasm_bindgen(inline_js = r#"
export function kisSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
export function kisTicker() {
  const t = { stopped: false, timer: undefined, wake: undefined };
  const stop = () => {
    t.stopped = true;
    clearTimeout(t.timer);
    t.wake?.(false);
  };
  return [t, stop];
}
export function kisTick(t, ms) {
  return new Promise((resolve) => {
    if (t.stopped) return resolve(false);
    t.wake = resolve;
    t.timer = setTimeout(() => resolve(true), ms);
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = kisSleep)]
    fn kis_sleep(ms: f64) -> Promise;
    #[wasm_bindgen(js_name = kisTicker)]
    fn kis_ticker() -> Array;
    #[wasm_bindgen(js_name = kisTick)]
    fn kis_tick(ticker: &JsValue, ms: f64) -> Promise;
}

pub struct JsClock;

impl Clock for JsClock {
    fn now_ms(&self) -> f64 {
        Date::now()
    }

    async fn sleep(&self, ms: f64) {
        if ms <= 0.0 {
            return;
        }
        let _ = JsAwait::new(kis_sleep(ms).into()).await;
    }
}

/// The intervals of a background task, and a JS function that stops it.
pub struct Ticker(JsValue);

impl Ticker {
    pub fn new() -> (Ticker, JsValue) {
        let pair = kis_ticker();
        (Ticker(pair.get(0)), pair.get(1))
    }

    /// Waits `ms`: true when they have passed, false (at once) when stopped.
    pub async fn tick(&self, ms: f64) -> bool {
        JsAwait::new(kis_tick(&self.0, ms).into())
            .await
            .is_ok_and(|v| v.is_truthy())
    }
}
