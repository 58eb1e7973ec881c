//! Events to `onEvent`, log lines to `logger` (console by default, null for silence). A callback
//! that throws is ignored: a broken log must not break a trade.

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::events::{KisEvent, Observer};
use crate::wasm::convert::to_js;
use crate::wasm::get_fn;

// `catch`, like every call into caller code here: a console replaced by one that throws must
// not unwind through the task that logged.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = console, js_name = warn)]
    fn console_warn(s: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(catch, js_namespace = console, js_name = error)]
    fn console_error(s: &str) -> Result<(), JsValue>;
}

pub enum Logger {
    Console,
    Silent,
    Custom(JsValue),
}

pub struct JsObserver {
    pub on_event: Option<Function>,
    pub logger: Logger,
}

impl JsObserver {
    fn log(&self, level: &str, line: &str) {
        match &self.logger {
            Logger::Silent => {}
            Logger::Console => {
                let _ = if level == "warn" {
                    console_warn(line)
                } else {
                    console_error(line)
                };
            }
            Logger::Custom(obj) => {
                if let Some(f) = get_fn(obj, level) {
                    let _ = f.call1(obj, &line.into());
                }
            }
        }
    }
}

impl Observer for JsObserver {
    fn listening(&self) -> bool {
        self.on_event.is_some()
    }
    fn event(&self, e: &KisEvent) {
        if let Some(f) = &self.on_event {
            let _ = f.call1(&JsValue::UNDEFINED, &to_js(e));
        }
    }
    fn warn(&self, line: &str) {
        self.log("warn", line);
    }
    fn error(&self, line: &str) {
        self.log("error", line);
    }
}
