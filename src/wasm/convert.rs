//! Values cross the JS boundary as JSON text: JSON.stringify/parse are native in every engine,
//! and one string crosses instead of a call per property.

use crate::prelude::*;

use js_sys::JSON;

use crate::json::{self, ToJson, Value};
use wasm_bindgen::JsValue;

use crate::error::KisError;

/// A caller's argument as JSON (`undefined` → null). Functions and symbols vanish as in
/// JSON.stringify; a BigInt or a cycle is a validation error naming `field`.
pub fn to_json(field: &str, v: &JsValue) -> Result<Value, KisError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Null);
    }
    // A symbol is a string: no need for JSON.stringify and a parse.
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    let text = JSON::stringify(v)
        .map_err(|_| KisError::validation(field, "cannot be converted to JSON"))?;
    let text: String = text.into();
    json::parse(&text).ok_or_else(|| KisError::validation(field, "is not valid JSON"))
}

/// Not generic, so it is compiled once rather than once per result type.
pub fn to_js(v: &dyn ToJson) -> JsValue {
    JSON::parse(&json::to_string(v)).unwrap_or(JsValue::NULL)
}
