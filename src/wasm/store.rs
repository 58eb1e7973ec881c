//! The token store: the caller's `{ get, set }` (sync or async, called by the glue), or none.
//! Without one, the token lives in memory all the same, in the state the clients of its app key
//! share (`engine::shared`): a store of the client's own would only hold a copy of it.

use crate::prelude::*;

use crate::engine::transport::TokenStore;
use crate::json;
use crate::models::StoredToken;
use crate::wasm::abi;
use crate::wasm::tasks::{Answer, IoWait};

pub enum JsTokenStore {
    /// No store: nothing is read, and a write goes nowhere.
    None,
    /// The caller's store, by client number.
    Js(u32),
}

async fn answer(wait: IoWait) -> Result<String, String> {
    match wait.await {
        Answer::Text(t) => t,
        _ => Err("the glue answered the token store with something else".to_string()),
    }
}

impl TokenStore for JsTokenStore {
    fn shared(&self) -> bool {
        matches!(self, JsTokenStore::Js(_))
    }

    async fn get(&self, key: &str) -> Result<Option<StoredToken>, String> {
        match self {
            JsTokenStore::None => Ok(None),
            JsTokenStore::Js(client) => {
                let wait = IoWait::new();
                // SAFETY: the import reads the key before returning.
                unsafe { abi::store_get(*client, wait.id(), key.as_ptr(), key.len()) };
                let text = answer(wait).await?;
                let v = json::parse(&text)
                    .ok_or_else(|| "tokenStore.get(): is not valid JSON".to_string())?;
                if v.is_null() {
                    return Ok(None);
                }
                StoredToken::from_value(&v)
                    .map(Some)
                    .map_err(|e| cat!["tokenStore.get() returned no StoredToken: ", e.message])
            }
        }
    }

    async fn set(&self, key: &str, token: &StoredToken) -> Result<(), String> {
        match self {
            JsTokenStore::None => Ok(()),
            JsTokenStore::Js(client) => {
                // The key has no line break (env and a hex hash), so it ends at the first.
                let text = cat![key, "\n", json::to_string(token)];
                let wait = IoWait::new();
                // SAFETY: the import reads the string before returning.
                unsafe { abi::store_set(*client, wait.id(), text.as_ptr(), text.len()) };
                answer(wait).await.map(|_| ())
            }
        }
    }
}
