//! The caller's host values among its options: functions and objects the binding calls (`fetch`,
//! `onEvent`, a token store, a logger, realtime's `WebSocket`), each read once through a getter
//! that may throw, and named when it is not what the option takes.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::wasm::convert::thrown;
use crate::wasm::errors::{invalid, is_function};

/// `options[key]`; a getter that throws is an error naming the option.
pub fn get(options: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(options, &JsValue::from_str(key)).map_err(|e| {
        invalid(
            &format!("options.{key}"),
            &format!("could not be read (its getter threw: {})", thrown(&e)),
        )
    })
}

/// `options[key]`, a function or nothing; anything else is refused as not `what`.
pub fn host_function(
    options: &JsValue,
    key: &str,
    what: &str,
) -> Result<Option<Function>, JsValue> {
    let f = get(options, key)?;
    if f.is_null() || f.is_undefined() {
        return Ok(None);
    }
    if !is_function(&f) {
        return Err(invalid(
            &format!("options.{key}"),
            &format!("must be {what}"),
        ));
    }
    Ok(Some(f.unchecked_into()))
}

/// `options[key]`, an object with `methods`, or nothing (`null` kept apart from `undefined`).
pub fn host_object(
    options: &JsValue,
    key: &str,
    methods: &[&str],
) -> Result<Option<JsValue>, JsValue> {
    let o = get(options, key)?;
    if o.is_undefined() || o.is_null() {
        return Ok(None);
    }
    for m in methods {
        if !is_function(&get(&o, m).unwrap_or(JsValue::UNDEFINED)) {
            return Err(invalid(&format!("options.{key}.{m}"), "must be a function"));
        }
    }
    Ok(Some(o))
}

/// `given`, or else the runtime's own global `name` (`fetch`, `WebSocket`); neither is an error
/// on `options.{name}` that says what to pass (`missing`).
pub fn or_global(given: Option<Function>, name: &str, missing: &str) -> Result<Function, JsValue> {
    match given {
        Some(f) => Ok(f),
        None => Reflect::get(&js_sys::global(), &JsValue::from_str(name))
            .ok()
            .filter(is_function)
            .map(JsCast::unchecked_into)
            .ok_or_else(|| invalid(&format!("options.{name}"), missing)),
    }
}
