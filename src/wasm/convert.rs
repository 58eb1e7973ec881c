//! Values cross the JS boundary as JSON text: JSON.stringify/parse are native in every engine,
//! and the core already carries serde_json, so no second serializer ships in the wasm.

use js_sys::JSON;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::JsValue;

use crate::error::KisError;

/// A caller's argument as JSON (`undefined` → null). Functions and symbols vanish as in
/// JSON.stringify; a BigInt or a cycle is a validation error naming `field`.
pub fn to_json(field: &str, v: &JsValue) -> Result<Value, KisError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Value::Null);
    }
    let text = JSON::stringify(v)
        .map_err(|_| KisError::validation(field, "cannot be converted to JSON"))?;
    let text: String = text.into();
    // JSON.stringify's output always parses; a fixed message keeps serde's error formatting
    // (and with it core's float formatting) out of the wasm.
    serde_json::from_str(&text).map_err(|_| KisError::validation(field, "is not valid JSON"))
}

pub fn to_js<T: Serialize>(v: &T) -> JsValue {
    let text = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    JSON::parse(&text).unwrap_or(JsValue::NULL)
}
