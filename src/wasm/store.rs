//! The token store: the caller's `{ get, set }` (sync or async), or memory by default.

use crate::prelude::*;

use core::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use crate::engine::transport::TokenStore;
use crate::models::StoredToken;
use crate::wasm::convert::{to_js, to_json};
use crate::wasm::tasks::JsAwait;
use crate::wasm::{get, get_fn};

pub enum JsTokenStore {
    /// A client keeps one key (env + app key), so a list beats a hash map (and its code).
    Memory(RefCell<Vec<(String, StoredToken)>>),
    Js(JsValue),
}

fn method(obj: &JsValue, name: &str) -> Result<Function, String> {
    get_fn(obj, name).ok_or_else(|| cat!["tokenStore.", name, " is not a function"])
}

fn message(e: &JsValue) -> String {
    get(e, "message")
        .as_string()
        .unwrap_or_else(|| "tokenStore threw".to_string())
}

async fn settle(v: JsValue) -> Result<JsValue, String> {
    JsAwait::new(v).await.map_err(|e| message(&e))
}

impl TokenStore for JsTokenStore {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>, String> {
        match self {
            JsTokenStore::Memory(m) => Ok(m
                .borrow()
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, t)| t.clone())),
            JsTokenStore::Js(obj) => {
                let f = method(obj, "get")?;
                let v = settle(f.call1(obj, &key.into()).map_err(|e| message(&e))?).await?;
                if v.is_null() || v.is_undefined() {
                    return Ok(None);
                }
                let json = to_json("tokenStore.get()", &v).map_err(|e| e.message.clone())?;
                StoredToken::from_value(&json)
                    .map(Some)
                    .map_err(|e| cat!["tokenStore.get() returned no StoredToken: ", e.message])
            }
        }
    }

    async fn set(&self, key: &str, token: &StoredToken) -> Result<(), String> {
        match self {
            JsTokenStore::Memory(m) => {
                let mut m = m.borrow_mut();
                m.retain(|(k, _)| k != key);
                m.push((key.to_string(), token.clone()));
                Ok(())
            }
            JsTokenStore::Js(obj) => {
                let f = method(obj, "set")?;
                let ret = f
                    .call2(obj, &key.into(), &to_js(token))
                    .map_err(|e| message(&e))?;
                settle(ret).await.map(|_| ())
            }
        }
    }
}
