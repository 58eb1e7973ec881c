//! The pure helpers of the package: `trIdFor`, `buildOrderBody`, `isMockUrl`.

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::env::{is_mock_url, Env};
use crate::input::read;
use crate::inputs::OrderBodyInput;
use crate::tr_id::{tr_id_for, Op, TrIdSet};
use crate::wasm::convert::{fields, from_js, from_js_of, to_js, ORDER_PRICE};
use crate::wasm::errors::to_js_error;

/// The TR ID of an operation in an environment; `set` "legacy" is the seed's table.
#[wasm_bindgen(js_name = trIdFor)]
pub fn tr_id_for_js(
    #[wasm_bindgen(unchecked_param_type = "TrOp")] op: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KisEnv")] env: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TrIdSet")] set: Option<JsValue>,
) -> Result<String, JsValue> {
    (|| {
        let op = Op::parse("op", &read::<String>("op", &from_js("op", op)?)?)?;
        let env = Env::parse("env", &read::<String>("env", &from_js("env", env)?)?)?;
        let set =
            match read::<Option<String>>("set", &from_js("set", set.unwrap_or(JsValue::NULL))?)? {
                None => TrIdSet::Current,
                Some(s) => TrIdSet::parse("set", &s)?,
            };
        Ok(tr_id_for(op, env, set).to_string())
    })()
    .map_err(|e| to_js_error(&e))
}

/// The order-cash body KIS expects for an order, as the client sends it.
#[wasm_bindgen(js_name = buildOrderBody, unchecked_return_type = "Record<string, string>")]
pub fn build_order_body_js(
    #[wasm_bindgen(unchecked_param_type = "OrderBodyInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    let pairs = from_js_of(
        "order",
        input,
        fields::<OrderBodyInput>(),
        Some(&ORDER_PRICE),
    )
    .and_then(|v| crate::order::build_order_body(&v))
    .map_err(|e| to_js_error(&e))?;
    let map: Map<String, Value> = pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    Ok(to_js(&map))
}

/// The seed's rule: a URL is KIS's mock (VTS) environment when it contains "vts". Anything but
/// a string is refused: `isMockUrl(process.env.KIS_URL)` of a variable not set answered false,
/// which a caller's `? "mock" : "real"` read as the real market.
#[wasm_bindgen(js_name = isMockUrl)]
pub fn is_mock_url_js(
    #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
) -> Result<bool, JsValue> {
    from_js("url", url)
        .and_then(|v| read::<String>("url", &v))
        .map(|u| is_mock_url(&u))
        .map_err(|e| to_js_error(&e))
}

/// Whether `name` is a catalogued API's method name or `/uapi/` path, for `kis.api`'s proxy
/// (pkg-templates/shared.mjs); not part of the API.
#[wasm_bindgen(js_name = "__isApi", skip_typescript)]
pub fn is_api(name: &str) -> bool {
    crate::catalogue::find(name).is_some()
}

/// Every catalogued API's method name, in the catalogue's order, each followed by a comma, for
/// `kis.api`'s keys (`Object.keys`, `for … in`, a REPL's completion); not part of the API.
#[wasm_bindgen(js_name = "__apiNames", skip_typescript)]
pub fn api_names() -> String {
    let mut names = String::new();
    for e in crate::catalogue::endpoints() {
        names.push_str(&e.name);
        names.push(',');
    }
    names
}
