//! Time from the JS host: Date.now and setTimeout, which exist in Node and browsers alike.

use js_sys::{Date, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::transport::Clock;
use crate::wasm::tasks::JsAwait;

#[wasm_bindgen(inline_js = r#"
export function kisSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = kisSleep)]
    fn kis_sleep(ms: f64) -> Promise;
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
