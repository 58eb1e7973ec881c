//! Events to `onEvent`, log lines to `logger` (console by default, null for silence): the glue
//! calls them and ignores what they throw, since a broken log must not break a trade.

use crate::events::{KisEvent, Observer};
use crate::json;
use crate::wasm::abi;

pub struct JsObserver {
    pub client: u32,
    /// An `onEvent` was given: events are built only then.
    pub listening: bool,
}

impl JsObserver {
    fn log(&self, level: u32, line: &str) {
        // SAFETY: the import reads the line before returning.
        unsafe { abi::log(self.client, level, line.as_ptr(), line.len()) }
    }
}

impl Observer for JsObserver {
    fn listening(&self) -> bool {
        self.listening
    }
    fn event(&self, e: &KisEvent) {
        let text = json::to_string(e);
        // SAFETY: the import reads the text before returning.
        unsafe { abi::event(self.client, text.as_ptr(), text.len()) }
    }
    fn warn(&self, line: &str) {
        self.log(0, line);
    }
    fn error(&self, line: &str) {
        self.log(1, line);
    }
}
