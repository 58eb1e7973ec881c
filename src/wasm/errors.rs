//! KisError → a JS `Error`. The package entry defines `class KisError extends Error` and registers
//! it here, so `instanceof KisError` holds; without it (raw builds) a plain Error named
//! "KisError" with the same fields is thrown.

use crate::prelude::*;

use core::cell::RefCell;

use js_sys::{Array, Error, Function, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::KisError;
use crate::wasm::SingleThreaded;

static ERROR_CLASS: SingleThreaded<RefCell<Option<Function>>> = SingleThreaded(RefCell::new(None));

#[wasm_bindgen(js_name = "__setKisErrorClass")]
pub fn set_kis_error_class(class: Function) {
    *ERROR_CLASS.0.borrow_mut() = Some(class);
}

fn set(obj: &JsValue, key: &str, v: JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &v);
}

pub fn to_js_error(e: KisError) -> JsValue {
    let e = e.into_details();
    let msg = JsValue::from_str(&e.message);
    let class = ERROR_CLASS.0.borrow().clone();
    let err: JsValue = class
        .and_then(|class| Reflect::construct(&class, &Array::of1(&msg)).ok())
        .unwrap_or_else(|| Error::new(&e.message).into());
    set(&err, "name", "KisError".into());
    set(&err, "kind", e.kind.as_str().into());
    let opt = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            set(&err, k, v.into());
        }
    };
    opt("field", e.field);
    opt("msgCd", e.msg_cd);
    opt("msg1", e.msg1);
    opt("trId", e.tr_id);
    opt("path", e.path);
    opt("body", e.body);
    if let Some(s) = e.status {
        set(&err, "status", f64::from(s).into());
    }
    if let Some(ms) = e.retry_after_ms {
        set(&err, "retryAfterMs", (ms as f64).into());
    }
    if let Some(cause) = e.cause {
        let original = cause
            .original
            .as_ref()
            .and_then(|o| o.downcast_ref::<JsValue>().cloned())
            .unwrap_or_else(|| Error::new(&cause.message).into());
        set(&err, "cause", original);
    }
    err
}
