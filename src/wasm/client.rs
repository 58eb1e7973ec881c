//! `KisClient`, the class the package exports. Each method hands its work to the engine as a
//! future of its own holding a reference to the engine, so any number of calls can be in
//! flight at once, and a client freed by the caller lives until its last call ends.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, WeakMap};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::engine::call::RawReply;
use crate::engine::config::Config;
use crate::engine::shared::Registry;
use crate::engine::token::REFRESH_INTERVAL_MS;
use crate::error::Result;
use crate::input::{read, whole_number};
use crate::inputs::{
    BuyingPowerInput, CancelInput, DailyPriceOptions, KisClientOptions, MinuteBarsOptions,
    ModifyInput, OrderInput, OrdersQuery, RequestSpec,
};
use crate::wasm::convert::{
    fields, from_js, from_js_of, from_js_of_without, raw_to_js, to_js, CHANGE_QUANTITY, ORDER_PRICE,
};
use crate::wasm::errors::{invalid, is_function, keep_secret, to_js_error};
use crate::wasm::fetch::JsTransport;
use crate::wasm::host::{get, host_function, host_object, or_global};
use crate::wasm::observer::{JsObserver, Logger};
use crate::wasm::store::JsTokenStore;
use crate::wasm::timers::{JsClock, Ticker};
use crate::wasm::trap;
use crate::wasm::Core;
use crate::KisCore;

/// Options that are functions or objects with methods: kept as JS values, never read as data.
const HOST_KEYS: [&str; 4] = ["fetch", "tokenStore", "onEvent", "logger"];

thread_local! {
    /// The state the clients of one app key share (`engine::shared` says why).
    static SHARED: Registry = const { Registry::new() };
    /// A number for each fetch function: clients of one app key share their state when they
    /// reach KIS through the same one.
    static WAYS: WeakMap = WeakMap::new();
    static NEXT_WAY: Cell<u32> = const { Cell::new(1) };
}

fn way(fetch: &Function) -> u32 {
    WAYS.with(|ways| {
        if let Some(n) = ways.get(fetch).as_f64() {
            return n as u32;
        }
        let n = NEXT_WAY.with(|next| next.replace(next.get() + 1));
        ways.set(fetch, &JsValue::from(n));
        n
    })
}

/// A method's work as a promise: its result as a plain JS value, its error as a `KisError`.
/// `order`: the call may send an order (`trap` says why it matters).
fn promise<T: Serialize>(order: bool, work: impl Future<Output = Result<T>> + 'static) -> Promise {
    written_promise(order, work, |v| to_js(&v))
}

/// The same for `request()` and `call()`, whose answer may be megabytes (`raw_to_js`).
fn raw_promise(order: bool, work: impl Future<Output = Result<RawReply>> + 'static) -> Promise {
    written_promise(order, work, |reply| raw_to_js(&reply))
}

/// `work` as a promise, its result written by `write`. Boxed, so that wasm-bindgen-futures'
/// task and promise plumbing exists once, not once for each method's future.
fn written_promise<T>(
    order: bool,
    work: impl Future<Output = Result<T>> + 'static,
    write: impl FnOnce(T) -> JsValue + 'static,
) -> Promise {
    trap::promise(
        order,
        Box::pin(async move { work.await.map(write).map_err(|e| to_js_error(&e)) }),
    )
}

/// Whether a `request()` spec is a POST, read before the spec is (a throwing getter: no, and
/// the spec's reading then fails before anything is sent).
fn is_post(spec: &JsValue) -> bool {
    Reflect::get(spec, &JsValue::from_str("method"))
        .ok()
        .and_then(|m| m.as_string())
        .is_some_and(|m| m.eq_ignore_ascii_case("POST"))
}

/// A client of the KIS OpenAPI for one app key (and, for trading, one account).
#[wasm_bindgen]
pub struct KisClient {
    core: Rc<Core>,
}

#[wasm_bindgen]
impl KisClient {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "KisClientOptions")] options: JsValue,
    ) -> std::result::Result<KisClient, JsValue> {
        trap::refuse_if_stopped()?;
        if !options.is_object() || is_function(&options) {
            return Err(invalid("options", "must be an object"));
        }
        let fetch = or_global(
            host_function(&options, "fetch", "a function")?,
            "fetch",
            "is required: this runtime has no globalThis.fetch (pass one, e.g. from undici)",
        )?;
        let store = host_object(&options, "tokenStore", &["get", "set"])?;
        let on_event = host_function(&options, "onEvent", "a function")?;
        let logger = match get(&options, "logger")? {
            l if l.is_undefined() => Logger::Console,
            l if l.is_null() => Logger::Silent,
            _ => {
                Logger::Js(host_object(&options, "logger", &["warn", "error"])?.unwrap_or_default())
            }
        };
        // The data options, without the host ones, read as the core reads them. The key and
        // secret are kept as secrets first, so that no error from here on shows them, this
        // one's included.
        let cfg = from_js_of_without(
            "options",
            options,
            &HOST_KEYS,
            fields::<KisClientOptions>(),
            None,
        )
        .and_then(|v| {
            for key in ["appKey", "appSecret"] {
                if let Some(secret) = v.get(key).and_then(Value::as_str) {
                    keep_secret(secret);
                }
            }
            Config::from_value(&v)
        })
        .map_err(|e| to_js_error(&e))?;
        let shared = SHARED.with(|r| r.join(&cfg, way(&fetch)));
        let core = KisCore::sharing(
            shared,
            cfg,
            JsTransport { fetch },
            JsClock,
            store.map_or(JsTokenStore::None, JsTokenStore::Js),
            Rc::new(JsObserver { on_event, logger }),
        );
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
        let core = self.core.clone();
        promise(false, async move {
            core.get_price(&from_js("symbol", symbol)?).await
        })
    }

    /// FHKST03010200: today's minute bars, oldest first (30 a page, `pages` back).
    #[wasm_bindgen(js_name = getMinuteBars, unchecked_return_type = "Promise<MinuteBar[]>")]
    pub fn get_minute_bars(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] symbol: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MinuteBarsOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let core = self.core.clone();
        promise(false, async move {
            let symbol = from_js("symbol", symbol)?;
            let options = options.unwrap_or(JsValue::NULL);
            let options = from_js_of("options", options, fields::<MinuteBarsOptions>(), None)?;
            core.get_minute_bars(&symbol, &options).await
        })
    }

    /// FHKST01010200: the orderbook, ten levels a side, best first.
    #[wasm_bindgen(js_name = getOrderbook, unchecked_return_type = "Promise<Orderbook>")]
    pub fn get_orderbook(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] symbol: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        promise(false, async move {
            core.get_orderbook(&from_js("symbol", symbol)?).await
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
        let core = self.core.clone();
        promise(false, async move {
            let symbol = from_js("symbol", symbol)?;
            let options = options.unwrap_or(JsValue::NULL);
            let options = from_js_of("options", options, fields::<DailyPriceOptions>(), None)?;
            core.get_daily_prices(&symbol, &options).await
        })
    }

    /// TTTC8434R / VTTC8434R, all pages.
    #[wasm_bindgen(js_name = getBalance, unchecked_return_type = "Promise<Balance>")]
    pub fn get_balance(&self) -> Promise {
        let core = self.core.clone();
        promise(false, async move { core.get_balance().await })
    }

    /// TTTC8908R / VTTC8908R.
    #[wasm_bindgen(js_name = getBuyingPower, unchecked_return_type = "Promise<BuyingPower>")]
    pub fn get_buying_power(
        &self,
        #[wasm_bindgen(unchecked_param_type = "BuyingPowerInput")] input: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        promise(false, async move {
            core.get_buying_power(&from_js_of(
                "options",
                input,
                fields::<BuyingPowerInput>(),
                None,
            )?)
            .await
        })
    }

    /// TTTC0081R / VTTC0081R, all pages.
    #[wasm_bindgen(js_name = getOrders, unchecked_return_type = "Promise<Order[]>")]
    pub fn get_orders(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "OrdersQuery")] query: Option<JsValue>,
    ) -> Promise {
        let core = self.core.clone();
        promise(false, async move {
            let query = query.unwrap_or(JsValue::NULL);
            core.get_orders(&from_js_of(
                "options",
                query,
                fields::<OrdersQuery>(),
                None,
            )?)
            .await
        })
    }

    /// A cash buy: limit with a price, market without.
    #[wasm_bindgen(unchecked_return_type = "Promise<OrderAck>")]
    pub fn buy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OrderInput")] order: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        promise(true, async move { core.buy(&order_arg(order)?).await })
    }

    /// A cash sell: limit with a price, market without.
    #[wasm_bindgen(unchecked_return_type = "Promise<OrderAck>")]
    pub fn sell(
        &self,
        #[wasm_bindgen(unchecked_param_type = "OrderInput")] order: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        promise(true, async move { core.sell(&order_arg(order)?).await })
    }

    /// Cancels the remaining (or given) quantity of an open order. Never resent once it may
    /// have reached KIS: its answer lost, it is looked up in today's orders, and when it is not
    /// found there it fails with kind `orderStatusUnknown`.
    #[wasm_bindgen(unchecked_return_type = "Promise<OrderAck>")]
    pub fn cancel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CancelInput")] input: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        promise(true, async move {
            core.cancel(&change_arg::<CancelInput>("cancel", input)?)
                .await
        })
    }

    /// TTTC0013U / VTTC0013U: an open order to a new price (정정). Never resent once it may
    /// have reached KIS, and looked up as `cancel` is.
    #[wasm_bindgen(unchecked_return_type = "Promise<OrderAck>")]
    pub fn modify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ModifyInput")] input: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        promise(true, async move {
            core.modify(&change_arg::<ModifyInput>("modify", input)?)
                .await
        })
    }

    /// Any other TR, under the same token, limiter and retry policies. A POST is never resent
    /// once it may have reached KIS. Its answer lost, an order or change of the client's own
    /// account to an API of the order books is looked up in its market's list, as `call()`'s
    /// is; any other fails with kind `orderStatusUnknown`.
    #[wasm_bindgen(unchecked_return_type = "Promise<RawReply>")]
    pub fn request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestSpec")] spec: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        raw_promise(is_post(&spec), async move {
            core.request(&from_js_of("request", spec, fields::<RequestSpec>(), None)?)
                .await
        })
    }

    /// Any catalogued API (its TypeScript is in the custom section of `wasm/mod.rs`, generic
    /// over the API's name).
    #[wasm_bindgen(skip_typescript)]
    pub fn call(&self, api: JsValue, params: Option<JsValue>, options: Option<JsValue>) -> Promise {
        let core = self.core.clone();
        raw_promise(
            catalogued_post(&api),
            call_catalogued(core, api, params, options),
        )
    }

    /// KIS's realtime websocket: `WebSocket` the constructor to use (the global one by
    /// default; in Node, the `ws` package's), `url` its address (KIS's host of the environment
    /// by default; required with any other baseUrl), `silenceMs` how long a connection may hear
    /// nothing, not even KIS's PINGPONG, before it is taken for dead and made again (60 000 by
    /// default; 0 never).
    pub fn realtime(
        &self,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ WebSocket?: new (url: string) => unknown; url?: string; silenceMs?: number }"
        )]
        options: Option<JsValue>,
    ) -> std::result::Result<crate::wasm::realtime::KisRealtime, JsValue> {
        trap::refuse_if_stopped()?;
        crate::wasm::realtime::open(self.core.clone(), &options.unwrap_or(JsValue::UNDEFINED))
    }

    /// Issues (or reuses a stored) token now rather than on the first call.
    #[wasm_bindgen(js_name = issueToken, unchecked_return_type = "Promise<TokenInfo>")]
    pub fn issue_token(&self) -> Promise {
        self.ensure_token()
    }

    /// Issues (or reuses a stored) token now rather than on the first call.
    #[wasm_bindgen(js_name = ensureToken, unchecked_return_type = "Promise<TokenInfo>")]
    pub fn ensure_token(&self) -> Promise {
        let core = self.core.clone();
        promise(false, async move {
            core.ensure_token().await?;
            Ok(core.token_info())
        })
    }

    /// Issues a new token now, whatever the current one's state.
    #[wasm_bindgen(js_name = forceRefreshToken, unchecked_return_type = "Promise<TokenInfo>")]
    pub fn force_refresh_token(&self) -> Promise {
        let core = self.core.clone();
        promise(false, async move { core.force_refresh_token().await })
    }

    /// Has KIS revoke the token this client holds (or else the one its token store keeps), so
    /// that a copy of it can no longer be used; the next call is issued a new one, within
    /// KIS's one issuance a minute. Resolves to whether a live token was revoked.
    #[wasm_bindgen(js_name = revokeToken, unchecked_return_type = "Promise<boolean>")]
    pub fn revoke_token(&self) -> Promise {
        let core = self.core.clone();
        promise(false, async move { core.revoke_token().await })
    }

    /// Refreshes a token expiring within the hour; resolves to whether it did.
    #[wasm_bindgen(js_name = refreshIfExpiringSoon, unchecked_return_type = "Promise<boolean>")]
    pub fn refresh_if_expiring_soon(&self) -> Promise {
        let core = self.core.clone();
        promise(false, async move { core.refresh_if_expiring_soon().await })
    }

    /// S8: checks every `intervalMs` (default 30 minutes) and refreshes a token expiring within
    /// the hour. Returns the function that stops it. Its timer does not keep Node running: a
    /// script that starts it still ends when its own work does.
    #[wasm_bindgen(js_name = startTokenRefresh, unchecked_return_type = "() => void")]
    pub fn start_token_refresh(
        &self,
        #[wasm_bindgen(js_name = intervalMs, unchecked_optional_param_type = "number | null")]
        interval_ms: Option<JsValue>,
    ) -> std::result::Result<JsValue, JsValue> {
        trap::refuse_if_stopped()?;
        let given = interval_ms.unwrap_or(JsValue::NULL);
        let interval = from_js("intervalMs", given)
            .and_then(|v| read::<Option<f64>>("intervalMs", &v))
            .and_then(|n| match n {
                Some(ms) => whole_number("intervalMs", ms, 1000.0, f64::from(i32::MAX)),
                None => Ok(REFRESH_INTERVAL_MS as u64),
            })
            .map_err(|e| to_js_error(&e))?;
        let (ticker, stop) = Ticker::background();
        let core = self.core.clone();
        trap::spawn(async move {
            core.run_token_refresh(interval as f64, |ms| ticker.tick(ms))
                .await;
        });
        // Calling it again does nothing.
        let stop = RefCell::new(Some(stop));
        let f = Closure::<dyn FnMut()>::new(move || {
            if trap::stopped() {
                return; // the refresher is stopped already, and the cell may be borrowed
            }
            if let Some(tx) = stop.borrow_mut().take() {
                let _ = tx.send(());
            }
        });
        Ok(f.into_js_value())
    }

    /// `{ expiresAt, isExpired, isExpiringSoon }`, or null before the first token.
    #[wasm_bindgen(getter, unchecked_return_type = "TokenInfo | null")]
    pub fn token(&self) -> std::result::Result<JsValue, JsValue> {
        trap::refuse_if_stopped()?;
        Ok(to_js(&self.core.token_info()))
    }
}

/// Whether `call()`'s API is a POST (an order, or another write), known before it is read.
#[cfg(not(feature = "no-catalogue"))]
fn catalogued_post(api: &JsValue) -> bool {
    api.as_string()
        .and_then(|name| crate::catalogue::find(&name))
        .is_some_and(|e| e.post)
}

#[cfg(feature = "no-catalogue")]
fn catalogued_post(_: &JsValue) -> bool {
    false
}

/// `buy`'s or `sell`'s order: a price left out makes it a market order, so one written but
/// `undefined` is refused.
fn order_arg(v: JsValue) -> Result<Value> {
    from_js_of("order", v, fields::<OrderInput>(), Some(&ORDER_PRICE))
}

/// `cancel`'s or `modify`'s argument: a quantity left out takes all that is left, so one written
/// but `undefined` is refused.
fn change_arg<T: serde::de::DeserializeOwned>(scope: &str, v: JsValue) -> Result<Value> {
    from_js_of(scope, v, fields::<T>(), Some(&CHANGE_QUANTITY))
}

/// `call()`: a catalogued API with KIS's parameters.
#[cfg(not(feature = "no-catalogue"))]
async fn call_catalogued(
    core: Rc<Core>,
    api: JsValue,
    params: Option<JsValue>,
    options: Option<JsValue>,
) -> Result<RawReply> {
    let api = from_js("api", api)?;
    // The API's own parameters are the fields of its `params`.
    let names: Vec<&str> = api
        .as_str()
        .and_then(crate::catalogue::find)
        .map(|e| e.params.iter().map(|p| p.name).collect())
        .unwrap_or_default();
    let params = from_js_of("params", params.unwrap_or(JsValue::NULL), &names, None)?;
    let options = options.unwrap_or(JsValue::NULL);
    let options = from_js_of(
        "options",
        options,
        fields::<crate::inputs::CallOptions>(),
        None,
    )?;
    core.call_api(&api, &params, &options).await
}

/// scripts/size-catalogue.sh's build, which measures what the catalogue adds: no `call()`.
#[cfg(feature = "no-catalogue")]
async fn call_catalogued(
    _: Rc<Core>,
    _: JsValue,
    _: Option<JsValue>,
    _: Option<JsValue>,
) -> Result<RawReply> {
    Err(crate::error::KisError::validation(
        "api",
        "this build has no catalogue",
    ))
}
