//! The token store: the caller's `{ get, set }` (sync or async), or none. Without one, the token
//! lives in memory all the same, in the state the clients of its app key share
//! (`engine::shared`): a store of the client's own would only hold a copy of it.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::transport::TokenStore;
use crate::models::StoredToken;
use crate::wasm::convert::{self, fields, from_js_of, to_js};

pub enum JsTokenStore {
    /// No store: nothing is read, and a write goes nowhere.
    None,
    /// The caller's store.
    Js(JsValue),
}

/// `store[name](...args)`, awaited whether it returns a value or a promise; what it threw or
/// rejected with, as a message.
async fn call(store: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f = Reflect::get(store, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| format!("tokenStore.{name} is not a function"))?;
    let returned = f
        .apply(store, &args.iter().collect())
        .map_err(|e| message(&e))?;
    JsFuture::from(Promise::resolve(&returned))
        .await
        .map_err(|e| message(&e))
}

fn message(e: &JsValue) -> String {
    convert::message(e).unwrap_or_else(|| "tokenStore threw".to_string())
}

impl TokenStore for JsTokenStore {
    fn shared(&self) -> bool {
        matches!(self, JsTokenStore::Js(_))
    }

    async fn get(&self, key: &str) -> Result<Option<StoredToken>, String> {
        let JsTokenStore::Js(store) = self else {
            return Ok(None);
        };
        let v = call(store, "get", &[JsValue::from_str(key)]).await?;
        if v.is_null() || v.is_undefined() {
            return Ok(None);
        }
        let v = from_js_of("tokenStore.get()", v, fields::<StoredToken>(), None)
            .map_err(|e| e.message.clone())?;
        StoredToken::from_value(&v)
            .map(Some)
            .map_err(|e| format!("tokenStore.get() returned no StoredToken: {}", e.message))
    }

    async fn set(&self, key: &str, token: &StoredToken) -> Result<(), String> {
        let JsTokenStore::Js(store) = self else {
            return Ok(());
        };
        call(store, "set", &[JsValue::from_str(key), to_js(token)])
            .await
            .map(|_| ())
    }
}
