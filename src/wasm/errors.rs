//! KisError → the JSON from which the glue builds its `KisError` (a class of the package entry,
//! so `instanceof KisError` holds). A fetch error's JS object travels by handle, as `causeRef`.

use crate::prelude::*;

use crate::error::KisError;
use crate::json::{Obj, ToJson};
use crate::wasm::tasks::JsRef;

fn o(v: &Option<String>) -> Option<&dyn ToJson> {
    v.as_ref().map(|s| s as &dyn ToJson)
}

fn f(v: &Option<f64>) -> Option<&dyn ToJson> {
    v.as_ref().map(|n| n as &dyn ToJson)
}

/// The caller keeps `e` until the glue has read the JSON: dropping it lets the cause go.
pub fn error_json(e: &KisError) -> String {
    let status = e.status.map(f64::from);
    let retry_after = e.retry_after_ms.map(|ms| ms as f64);
    let cause_ref = e.cause.as_ref().and_then(|c| {
        let original = c.original.as_ref()?;
        original.downcast_ref::<JsRef>().map(|r| f64::from(r.0))
    });
    let mut out = String::new();
    Obj::new(&mut out)
        .field("message", &e.message)
        .field("kind", &e.kind.as_str())
        .opt("field", o(&e.field))
        .opt("status", f(&status))
        .opt("msgCd", o(&e.msg_cd))
        .opt("msg1", o(&e.msg1))
        .opt("trId", o(&e.tr_id))
        .opt("path", o(&e.path))
        .opt("body", o(&e.body))
        .opt("retryAfterMs", f(&retry_after))
        .opt("cause", e.cause.as_ref().map(|c| &c.message as &dyn ToJson))
        .opt("causeRef", f(&cause_ref))
        .end();
    out
}
