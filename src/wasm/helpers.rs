//! The pure helpers of the package: `trIdFor`, `buildOrderBody`, `isMockUrl`. Each takes its
//! arguments as a JSON array and answers through `ret`: 1 with the result, 0 with an error.

use crate::prelude::*;

use crate::env::{is_mock_url, Env};
use crate::error::Result;
use crate::input::string_arg;
use crate::json::{self, Value};
use crate::tr_id::{tr_id_for, Op, TrIdSet};
use crate::wasm::abi::{ret_str, take};
use crate::wasm::errors::error_json;

/// The arguments of a call, `args[i]` (null when missing).
pub fn args(text: &str) -> Vec<Value> {
    match json::parse(text) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

pub fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&Value::Null)
}

/// Answers a synchronous export: 1 and the text, or 0 and the error's JSON.
pub fn answer(result: Result<String>) -> u32 {
    match result {
        Ok(text) => {
            ret_str(&text);
            1
        }
        Err(e) => {
            ret_str(&error_json(&e));
            0
        }
    }
}

/// `trIdFor(op, env, set?)`.
///
/// # Safety
/// `ptr`, `len`, `cap`: a buffer of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_tr_id_for(ptr: *mut u8, len: usize, cap: usize) -> u32 {
    let a = args(&unsafe { take(ptr, len, cap) });
    answer((|| {
        let op = Op::parse("op", string_arg("op", arg(&a, 0))?)?;
        let env = Env::parse("env", string_arg("env", arg(&a, 1))?)?;
        let set = match arg(&a, 2) {
            Value::Null => TrIdSet::Current,
            v => TrIdSet::parse("set", string_arg("set", v)?)?,
        };
        Ok(json::to_string(tr_id_for(op, env, set)))
    })())
}

/// `buildOrderBody(input)`.
///
/// # Safety
/// `ptr`, `len`, `cap`: a buffer of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_build_order_body(ptr: *mut u8, len: usize, cap: usize) -> u32 {
    let a = args(&unsafe { take(ptr, len, cap) });
    answer(crate::order::build_order_body(arg(&a, 0)).map(|pairs| {
        let mut map = crate::json::Map::new();
        for (k, v) in pairs {
            map.insert(k, v.into());
        }
        json::to_string(&map)
    }))
}

/// `isMockUrl(url)`, from the URL's text rather than an argument list: 1 or 0.
///
/// # Safety
/// `ptr`, `len`, `cap`: a buffer of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_is_mock_url(ptr: *mut u8, len: usize, cap: usize) -> u32 {
    u32::from(is_mock_url(&unsafe { take(ptr, len, cap) }))
}
