//! Events to `onEvent`, log lines to `logger` (console by default, null for silence). What they
//! throw never breaks a trade: a logger's is ignored, and `onEvent`'s is handed back for the
//! engine to log once.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::events::{KisEvent, Observer};
use crate::wasm::convert::{thrown, to_js};

#[wasm_bindgen]
extern "C" {
    // `catch`: a console that throws must not unwind through the module.
    #[wasm_bindgen(js_namespace = console, js_name = warn, catch)]
    fn console_warn(line: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_namespace = console, js_name = error, catch)]
    fn console_error(line: &str) -> Result<(), JsValue>;
}

pub enum Logger {
    Console,
    Silent,
    Js(JsValue),
}

pub struct JsObserver {
    pub on_event: Option<Function>,
    pub logger: Logger,
}

impl JsObserver {
    fn log(&self, level: &str, line: &str) {
        match &self.logger {
            Logger::Silent => {}
            Logger::Console if level == "warn" => {
                let _ = console_warn(line);
            }
            Logger::Console => {
                let _ = console_error(line);
            }
            Logger::Js(logger) => {
                let method = Reflect::get(logger, &JsValue::from_str(level))
                    .ok()
                    .and_then(|m| m.dyn_into::<Function>().ok());
                if let Some(m) = method {
                    let _ = m.call1(logger, &JsValue::from_str(line));
                }
            }
        }
    }
}

impl Observer for JsObserver {
    fn listening(&self) -> bool {
        self.on_event.is_some()
    }
    fn event(&self, e: &KisEvent) -> Result<(), String> {
        match &self.on_event {
            Some(f) => f
                .call1(&JsValue::UNDEFINED, &to_js(e))
                .map(drop)
                .map_err(|e| thrown(&e)),
            None => Ok(()),
        }
    }
    fn warn(&self, line: &str) {
        self.log("warn", line);
    }
    fn error(&self, line: &str) {
        self.log("error", line);
    }
}
