//! `KisError` as the JS class the package exports. The class is written in JS (a class that
//! extends `Error` cannot be declared from Rust) and handed over once by each entry of the
//! package, so that `instanceof KisError` holds for every error the client throws.

use std::cell::RefCell;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{printable, KisError};
use crate::redact::Redactor;
use crate::wasm::convert::to_js;

thread_local! {
    static CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// The app key and secret of every client made in this process. An error is the caller's
    /// to print, and one who passed a secret where another value goes (`getPrice(appSecret)`,
    /// `env: process.env.KIS_APP_SECRET`, a key read from the wrong line of a file) would
    /// otherwise read it back in the message that refuses it, and so would a CI log.
    static SECRETS: Redactor = Redactor::default();
}

/// From now on, `secret` is masked in every error the package throws.
pub fn keep_secret(secret: &str) {
    SECRETS.with(|r| r.add(secret.trim()));
}

/// `e` with every kept secret masked in its text, its field's name included.
fn masked(e: &KisError) -> KisError {
    SECRETS.with(|r| e.clone().masked_with(|t| r.redact(t)))
}

/// Called by the package's entries with their `KisError` class; not part of the API.
#[wasm_bindgen(js_name = "__setKisErrorClass", skip_typescript)]
pub fn set_kis_error_class(class: Function) {
    CLASS.with(|c| *c.borrow_mut() = Some(class));
}

fn set(target: &JsValue, key: &str, value: JsValue) {
    // Setting a property of a fresh Error cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), &value);
}

/// `e` as a JS `KisError` with its fields; a fetch error it carries is its `cause`. The messages
/// are what people read (`error::printable`); the fields (`msg1`, `body`, `field`) stay the
/// data they are.
pub fn to_js_error(e: &KisError) -> JsValue {
    let e = &masked(e);
    let message = printable(&e.message);
    let message = JsValue::from_str(&message);
    let error: JsValue = CLASS
        .with(|c| c.borrow().clone())
        .and_then(|class| Reflect::construct(&class, &js_sys::Array::of1(&message)).ok())
        .unwrap_or_else(|| {
            let plain = js_sys::Error::new(&printable(&e.message));
            plain.set_name("KisError");
            plain.into()
        });
    set(&error, "kind", to_js(&e.kind));
    let text = |key: &str, v: &Option<String>| {
        if let Some(v) = v {
            set(&error, key, JsValue::from_str(v));
        }
    };
    text("field", &e.field);
    if let Some(s) = e.status {
        set(&error, "status", JsValue::from(s));
    }
    text("msgCd", &e.msg_cd);
    text("msg1", &e.msg1);
    text("trId", &e.tr_id);
    text("path", &e.path);
    text("body", &e.body);
    if let Some(ms) = e.retry_after_ms {
        set(&error, "retryAfterMs", JsValue::from(ms as f64));
    }
    if let Some(cause) = &e.cause {
        // A new error from the masked message, never the caller's original (see `Cause`).
        let shown = js_sys::Error::new(&printable(&cause.message));
        if !cause.name.is_empty() {
            shown.set_name(&cause.name);
        }
        set(&error, "cause", shown.into());
    }
    error
}

/// A JS error for something the caller got wrong before any Rust type was involved.
pub fn invalid(field: &str, message: &str) -> JsValue {
    to_js_error(&KisError::validation(field, message))
}

/// Whether a JS value is a function.
pub fn is_function(v: &JsValue) -> bool {
    v.is_function() && v.dyn_ref::<Function>().is_some()
}

/// The wasm linear memory in bytes, for the memory benchmark; not part of the API.
#[wasm_bindgen(js_name = "__memoryBytes", skip_typescript)]
pub fn memory_bytes() -> f64 {
    (std::arch::wasm32::memory_size(0) * 65536) as f64
}
