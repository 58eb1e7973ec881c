//! Time from the JS host: Date.now and setTimeout, which exist in Node and browsers alike.

use js_sys::{Date, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::engine::transport::Clock;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
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
        let p = Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, ms);
        });
        let _ = JsFuture::from(p).await;
    }
}
