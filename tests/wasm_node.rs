//! The wasm skin under wasm-bindgen-test in Node: fetch injection, errors, concurrency.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::disallowed_macros)]

use js_sys::{Array, Function, Object, Promise, Reflect};
use kis_wasm::wasm::client::KisClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

/// A fetch that records `[url, init, this]` on globalThis.__kisCalls and answers like KIS.
fn fake_fetch(price_status: u16) -> Function {
    Function::new_with_args(
        "url, init",
        &format!(
            "'use strict'; (globalThis.__kisCalls ??= []).push([url, init, this]);
             const token = url.endsWith('/oauth2/tokenP');
             const status = token ? 200 : {price_status};
             const body = token ? JSON.stringify({{access_token: 'wasm-test-token-abcdefghij', expires_in: 86400}})
               : status === 200 ? JSON.stringify({{rt_cd: '0', output: {{stck_prpr: '+123'}}}}) : '<html>down</html>';
             return new Promise(r => setTimeout(() => r({{status, headers: {{get: () => null}}, text: async () => body}}), 1));"
        ),
    )
}

fn options(fetch: &Function) -> JsValue {
    let o = Object::new();
    for (k, v) in [
        ("appKey", "wasm-app-key-123456"),
        ("appSecret", "wasm-app-secret-123456"),
        ("baseUrl", "http://kis.test"),
    ] {
        Reflect::set(&o, &k.into(), &v.into()).unwrap();
    }
    Reflect::set(&o, &"fetch".into(), fetch).unwrap();
    Reflect::set(&o, &"rateLimitPerSec".into(), &0.into()).unwrap();
    Reflect::set(&o, &"logger".into(), &JsValue::NULL).unwrap();
    let retry = Object::new();
    Reflect::set(&retry, &"delayMs".into(), &1.into()).unwrap();
    Reflect::set(&o, &"retry".into(), &retry).unwrap();
    o.into()
}

fn calls() -> Array {
    Reflect::get(&js_sys::global(), &"__kisCalls".into())
        .ok()
        .and_then(|v| v.dyn_into::<Array>().ok())
        .unwrap_or_default()
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap()
}

#[wasm_bindgen_test]
async fn injected_fetch_is_called_with_this_undefined_and_kis_headers() {
    let kis = KisClient::new(options(&fake_fetch(200))).unwrap();
    let before = calls().length();
    let q = JsFuture::from(kis.get_price("005930".into()))
        .await
        .unwrap();
    assert_eq!(get(&q, "price").as_f64(), Some(123.0));
    let all = calls();
    let last = all.get(all.length() - 1);
    assert!(all.length() - before == 2, "token + quote");
    let url = Reflect::get(&last, &0.into()).unwrap().as_string().unwrap();
    assert!(url.contains("/inquire-price?FID_COND_MRKT_DIV_CODE=J&FID_INPUT_ISCD=005930"));
    let init = Reflect::get(&last, &1.into()).unwrap();
    let headers = get(&init, "headers");
    assert_eq!(get(&headers, "custtype").as_string().as_deref(), Some("P"));
    assert_eq!(
        get(&headers, "tr_id").as_string().as_deref(),
        Some("FHKST01010100")
    );
    assert!(
        Reflect::get(&last, &2.into()).unwrap().is_undefined(),
        "this is undefined"
    );
}

#[wasm_bindgen_test]
async fn failures_reject_with_kis_error_fields() {
    let kis = KisClient::new(options(&fake_fetch(503))).unwrap();
    let err = JsFuture::from(kis.get_price("005930".into()))
        .await
        .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&err, "name").as_string().as_deref(), Some("KisError"));
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("http"));
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));
    assert_eq!(
        get(&err, "trId").as_string().as_deref(),
        Some("FHKST01010100")
    );
    let err = JsFuture::from(kis.get_price(5930.into()))
        .await
        .unwrap_err();
    assert_eq!(get(&err, "field").as_string().as_deref(), Some("symbol"));
}

#[wasm_bindgen_test]
async fn fifty_concurrent_calls_share_one_token() {
    let kis = KisClient::new(options(&fake_fetch(200))).unwrap();
    let before = calls().length();
    let all: Array = (0..50)
        .map(|_| JsValue::from(kis.get_price("000660".into())))
        .collect();
    let results = JsFuture::from(Promise::all(&all)).await.unwrap();
    assert_eq!(Array::from(&results).length(), 50);
    let new_calls = calls().slice(before, calls().length());
    let tokens = new_calls
        .iter()
        .filter(|c| {
            Reflect::get(c, &0.into())
                .unwrap()
                .as_string()
                .unwrap()
                .ends_with("/oauth2/tokenP")
        })
        .count();
    assert_eq!(tokens, 1);
}
