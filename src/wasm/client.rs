//! The `KisClient` class. Each method clones the shared engine into a promise, so any number of
//! calls can be in flight at once and none holds a borrow of the JS object.

use crate::prelude::*;

use alloc::rc::Rc;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;

use crate::json::{Map, ToJson, Value};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use crate::engine::config::Config;
use crate::engine::token::REFRESH_INTERVAL_MS;
use crate::error::{KisError, Result};
use crate::input::whole_number;
use crate::wasm::convert::{to_js, to_json};
use crate::wasm::errors::to_js_error;
use crate::wasm::fetch::{global_fetch, JsTransport};
use crate::wasm::get;
use crate::wasm::observer::{JsObserver, Logger};
use crate::wasm::store::JsTokenStore;
use crate::wasm::tasks;
use crate::wasm::timers::{JsClock, Ticker};
use crate::KisCore;

type Core = KisCore<JsTransport, JsClock, JsTokenStore>;

/// Options the binding handles itself (functions and objects with methods).
const HOST_KEYS: &[&str] = &["fetch", "tokenStore", "onEvent", "logger"];

#[wasm_bindgen]
pub struct KisClient {
    core: Rc<Core>,
}

fn function_option(options: &JsValue, key: &str) -> Result<Option<Function>> {
    let v = get(options, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|_| KisError::validation(&cat!["options.", key], "must be a function"))
}

fn object_option(options: &JsValue, key: &str, methods: &[&str]) -> Result<Option<JsValue>> {
    let v = get(options, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    for m in methods {
        if !get(&v, m).is_function() {
            return Err(KisError::validation(
                &cat!["options.", key, ".", m],
                "must be a function",
            ));
        }
    }
    Ok(Some(v))
}

/// The data part of the options as JSON, without the host keys (functions do not survive
/// JSON.stringify, and tokenStore may hold anything).
fn data_options(options: &JsValue) -> Result<Value> {
    if !options.is_object() {
        return Err(KisError::validation("options", "must be an object"));
    }
    let mut map = Map::new();
    let obj: &js_sys::Object = options.unchecked_ref();
    for key in js_sys::Object::keys(obj).iter() {
        let key = key.as_string().unwrap_or_default();
        let v = get(options, &key);
        let json = if HOST_KEYS.contains(&key.as_str()) {
            Value::Bool(true)
        } else {
            to_json(&cat!["options.", key], &v)?
        };
        map.insert(key, json);
    }
    Ok(Value::Object(map))
}

fn build(options: &JsValue) -> Result<Core> {
    let cfg = Config::from_value(&data_options(options)?, HOST_KEYS)?;
    let fetch = match function_option(options, "fetch")? {
        Some(f) => f,
        None => global_fetch().dyn_into::<Function>().map_err(|_| {
            KisError::validation(
                "options.fetch",
                "is required: this runtime has no globalThis.fetch (pass one, e.g. from undici)",
            )
        })?,
    };
    let store = match object_option(options, "tokenStore", &["get", "set"])? {
        Some(s) => JsTokenStore::Js(s),
        None => JsTokenStore::Memory(RefCell::new(Vec::new())),
    };
    let logger_value = get(options, "logger");
    let logger = if logger_value.is_null() {
        Logger::Silent
    } else if logger_value.is_undefined() {
        Logger::Console
    } else {
        object_option(options, "logger", &["warn", "error"])?;
        Logger::Custom(logger_value)
    };
    let observer = JsObserver {
        on_event: function_option(options, "onEvent")?,
        logger,
    };
    Ok(KisCore::new(
        cfg,
        JsTransport { fetch },
        JsClock,
        store,
        Rc::new(observer),
    ))
}

/// Runs an engine call as a JS promise that resolves to the result as a plain object.
fn promise<T, F, Fut>(core: &Rc<Core>, f: F) -> Promise
where
    T: ToJson,
    F: FnOnce(Rc<Core>) -> Fut + 'static,
    Fut: Future<Output = Result<T>> + 'static,
{
    let fut = f(core.clone());
    settle(Box::pin(async move { fut.await.map(|v| to_js(&v)) }))
}

/// The one place a Rust future becomes a JS promise: boxed, so the promise machinery is
/// compiled once rather than once per method (it was a fifth of the wasm's code).
fn settle(fut: Pin<Box<dyn Future<Output = Result<JsValue>>>>) -> Promise {
    tasks::promise(async move { fut.await.map_err(to_js_error) })
}

/// `promise` for a method with one argument object, read as JSON (a bad one rejects at once).
fn promise_with<T, F, Fut>(core: &Rc<Core>, field: &str, arg: &JsValue, f: F) -> Promise
where
    T: ToJson,
    F: FnOnce(Rc<Core>, Value) -> Fut + 'static,
    Fut: Future<Output = Result<T>> + 'static,
{
    match to_json(field, arg) {
        Ok(v) => promise(core, move |c| f(c, v)),
        Err(e) => Promise::reject(&to_js_error(e)),
    }
}

fn json_arg(field: &'static str, v: &JsValue) -> core::result::Result<Value, Promise> {
    to_json(field, v).map_err(|e| Promise::reject(&to_js_error(e)))
}

#[wasm_bindgen]
impl KisClient {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "KisClientOptions")] options: JsValue,
    ) -> core::result::Result<KisClient, JsValue> {
        let core = build(&options).map_err(to_js_error)?;
        Ok(KisClient {
            core: Rc::new(core),
        })
    }

    /// FHKST01010100: the current price of a symbol.
    #[wasm_bindgen(js_name = getPrice, unchecked_return_type = "Promise<Quote>")]
    pub fn get_price(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] symbol: JsValue,
    ) -> Promise {
        promise_with(&self.core, "symbol", &symbol, |c, v| async move {
            c.get_price(&v).await
        })
    }

    /// FHKST01010400: 30 daily (weekly, monthly) bars, oldest first.
    #[wasm_bindgen(js_name = getDailyPrices, unchecked_return_type = "Promise<DailyBar[]>")]
    pub fn get_daily_prices(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] symbol: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DailyPriceOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let (symbol, options) = match (
            json_arg("symbol", &symbol),
            json_arg("options", &options.unwrap_or(JsValue::UNDEFINED)),
        ) {
            (Ok(s), Ok(o)) => (s, o),
            (Err(p), _) | (_, Err(p)) => return p,
        };
        promise(&self.core, move |c| async move {
            c.get_daily_prices(&symbol, &options).await
        })
    }

    /// TTTC8434R / VTTC8434R, all pages.
    #[wasm_bindgen(js_name = getBalance, unchecked_return_type = "Promise<Balance>")]
    pub fn get_balance(&self) -> Promise {
        promise(&self.core, |c| async move { c.get_balance().await })
    }

    /// TTTC8908R / VTTC8908R.
    #[wasm_bindgen(js_name = getBuyingPower, unchecked_return_type = "Promise<BuyingPower>")]
    pub fn get_buying_power(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BuyingPowerInput")] input: JsValue,
    ) -> Promise {
        promise_with(&self.core, "options", &input, |c, v| async move {
            c.get_buying_power(&v).await
        })
    }

    /// TTTC0081R / VTTC0081R, all pages.
    #[wasm_bindgen(js_name = getOrders, unchecked_return_type = "Promise<Order[]>")]
    pub fn get_orders(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "OrdersQuery")] query: Option<JsValue>,
    ) -> Promise {
        let query = query.unwrap_or(JsValue::UNDEFINED);
        promise_with(&self.core, "options", &query, |c, v| async move {
            c.get_orders(&v).await
        })
    }

    /// A cash buy: limit with a price, market without.
    #[wasm_bindgen(unchecked_return_type = "Promise<OrderAck>")]
    pub fn buy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OrderInput")] order: JsValue,
    ) -> Promise {
        promise_with(&self.core, "order", &order, |c, v| async move {
            c.buy(&v).await
        })
    }

    /// A cash sell: limit with a price, market without.
    #[wasm_bindgen(unchecked_return_type = "Promise<OrderAck>")]
    pub fn sell(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OrderInput")] order: JsValue,
    ) -> Promise {
        promise_with(&self.core, "order", &order, |c, v| async move {
            c.sell(&v).await
        })
    }

    /// Cancels the remaining (or given) quantity of an open order.
    #[wasm_bindgen(unchecked_return_type = "Promise<OrderAck>")]
    pub fn cancel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CancelInput")] input: JsValue,
    ) -> Promise {
        promise_with(&self.core, "cancel", &input, |c, v| async move {
            c.cancel(&v).await
        })
    }

    /// Any other TR, under the same token, limiter and retry policies.
    #[wasm_bindgen(unchecked_return_type = "Promise<RawReply>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestSpec")] spec: JsValue,
    ) -> Promise {
        promise_with(&self.core, "request", &spec, |c, v| async move {
            c.request(&v).await
        })
    }

    /// Issues (or reuses a stored) token now rather than on the first call.
    #[wasm_bindgen(js_name = issueToken, unchecked_return_type = "Promise<TokenInfo>")]
    pub fn issue_token(&self) -> Promise {
        self.ensure_token()
    }

    #[wasm_bindgen(js_name = ensureToken, unchecked_return_type = "Promise<TokenInfo>")]
    pub fn ensure_token(&self) -> Promise {
        promise(&self.core, |c| async move {
            c.ensure_token().await?;
            Ok(c.token_info())
        })
    }

    #[wasm_bindgen(js_name = forceRefreshToken, unchecked_return_type = "Promise<TokenInfo>")]
    pub fn force_refresh_token(&self) -> Promise {
        promise(&self.core, |c| async move { c.force_refresh_token().await })
    }

    /// Resolves to whether it refreshed.
    #[wasm_bindgen(js_name = refreshIfExpiringSoon, unchecked_return_type = "Promise<boolean>")]
    pub fn refresh_if_expiring_soon(&self) -> Promise {
        promise(
            &self.core,
            |c| async move { c.refresh_if_expiring_soon().await },
        )
    }

    /// S8: checks every `intervalMs` (default 30 minutes) and refreshes a token expiring within
    /// the hour. Returns the function that stops it (in Node, call it to let the process exit).
    #[wasm_bindgen(js_name = startTokenRefresh, unchecked_return_type = "() => void")]
    pub fn start_token_refresh(
        &self,
        #[wasm_bindgen(js_name = intervalMs)] interval_ms: Option<f64>,
    ) -> core::result::Result<JsValue, JsValue> {
        let interval = match interval_ms {
            Some(ms) => whole_number("intervalMs", ms, 1000.0).map_err(to_js_error)? as f64,
            None => REFRESH_INTERVAL_MS,
        };
        let (ticker, stop) = Ticker::new();
        let core = self.core.clone();
        tasks::spawn(async move {
            core.run_token_refresh(interval, |ms| ticker.tick(ms)).await;
        });
        Ok(stop)
    }

    /// `{ expiresAt, isExpired, isExpiringSoon }`, or null before the first token.
    #[wasm_bindgen(getter, unchecked_return_type = "TokenInfo | null")]
    pub fn token(&self) -> JsValue {
        to_js(&self.core.token_info())
    }
}
