//! The pure helpers of the package: `trIdFor`, `buildOrderBody`, `isMockUrl`.

use crate::prelude::*;

use wasm_bindgen::prelude::*;

use crate::env::{is_mock_url, Env};
use crate::tr_id::{tr_id_for, Op, TrIdSet};
use crate::wasm::convert::{to_js, to_json};
use crate::wasm::errors::to_js_error;

#[wasm_bindgen(js_name = trIdFor)]
pub fn tr_id_for_js(
    #[wasm_bindgen(unchecked_param_type = "TrOp")] op: &str,
    #[wasm_bindgen(unchecked_param_type = "KisEnv")] env: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "TrIdSet")] set: Option<String>,
) -> Result<String, JsValue> {
    let op = Op::parse("op", op).map_err(to_js_error)?;
    let env = Env::parse("env", env).map_err(to_js_error)?;
    let set = TrIdSet::parse("set", set.as_deref().unwrap_or("current")).map_err(to_js_error)?;
    Ok(tr_id_for(op, env, set).to_string())
}

#[wasm_bindgen(js_name = buildOrderBody, unchecked_return_type = "Record<string, string>")]
pub fn build_order_body_js(
    #[wasm_bindgen(unchecked_param_type = "OrderBodyInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    let v = to_json("order", &input).map_err(to_js_error)?;
    let pairs = crate::order::build_order_body(&v).map_err(to_js_error)?;
    let mut map = crate::json::Map::new();
    for (k, v) in pairs {
        map.insert(k, v.into());
    }
    Ok(to_js(&map))
}

#[wasm_bindgen(js_name = isMockUrl)]
pub fn is_mock_url_js(url: &str) -> bool {
    is_mock_url(url)
}

/// The wasm linear memory in bytes, for the soak benchmark's leak check.
#[wasm_bindgen(js_name = "__wasmMemoryBytes")]
pub fn wasm_memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
}
