//! What callers pass in: the client's options and each method's argument, as serde types. They
//! are read by [`crate::input::read`], which refuses unknown keys and names the field at fault,
//! and they are the source of the package's TypeScript for them (tsify). What serde cannot say
//! (a symbol's format, a whole number, a date) is checked where the value is used.

use serde::Deserialize;
use serde_json::{Map, Value};

/// A function- or object-valued option (`fetch`, `tokenStore`, `onEvent`, `logger`): the binding
/// takes it from the JS object itself, so the data read here only has to allow the key.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HostValue;

impl<'de> Deserialize<'de> for HostValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| HostValue)
    }
}

/// `new KisClient(options)`. An option given as `null` is refused, not taken for "absent"
/// (`env: null` would be the default environment); only `logger` means something by null.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KisClientOptions {
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub app_key: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub app_secret: Option<String>,
    /// "12345678-01", "1234567801" or "12345678" (product code "01").
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub account: Option<String>,
    /// Default: read off a KIS host in baseUrl ("openapivts…" → mock); required with any other
    /// baseUrl (a proxy, a mock), as the real market is never guessed; with no baseUrl, "mock".
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "KisEnv"))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub env: Option<String>,
    /// Default: the official host of env; a CORS proxy's URL in browsers.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub base_url: Option<String>,
    /// Default globalThis.fetch. Clients that share one function (and app key and base URL)
    /// share their token and rate limit; a function of its own keeps a client apart, as a
    /// test's fake KIS should be.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "FetchLike"))]
    pub fetch: Option<HostValue>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "\"P\" | \"B\""))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub cust_type: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "TrIdSet"))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub tr_ids: Option<String>,
    /// Default true: POSTs carry a hashkey (the seed's rule).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub hashkey: Option<bool>,
    /// Default 18 (real) / 1 (mock); 0 turns the limiter off. Clients of one app key, base URL
    /// and `fetch` in a process share one limiter, at the strictest of their limits.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub rate_limit_per_sec: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub retry: Option<RetryOptions>,
    /// Per attempt; default 30000.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub timeout_ms: Option<f64>,
    /// An answer larger than this is refused unread, as `decode`; default 4 MiB (KIS's largest
    /// are tens of KB), at most 256 MiB.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub max_response_bytes: Option<f64>,
    /// Where a token is kept across reloads and processes. Without one, the token lives in
    /// memory, shared by the process's clients of the same app key, base URL and `fetch`.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "TokenStore"))]
    pub token_store: Option<HostValue>,
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "(event: KisEvent) => void")
    )]
    pub on_event: Option<HostValue>,
    /// Default console; null for silence.
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "KisLogger | null"))]
    pub logger: Option<HostValue>,
}

/// S7's retries of a read after a 5xx without a KIS envelope.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryOptions {
    /// Extra attempts; default 2.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub server_errors: Option<f64>,
    /// Default 1000.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub delay_ms: Option<f64>,
}

/// `buy()` and `sell()`.
#[derive(Debug, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderInput {
    pub symbol: String,
    pub quantity: f64,
    /// Given → limit order ("00"); omitted → market ("01").
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub price: Option<f64>,
    /// ORD_DVSN code, e.g. "03" best limit.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub order_type: Option<String>,
    /// EXCG_ID_DVSN_CD: "KRX" (the default, as KIS takes none), "NXT" (Nextrade, with its
    /// longer hours) or "SOR" (KIS's routing between the two); the real environment only.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "\"KRX\" | \"NXT\" | \"SOR\"")
    )]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub exchange: Option<String>,
}

/// `buildOrderBody()`: an order and the account it is for.
#[derive(Debug, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderBodyInput {
    pub account: String,
    pub symbol: String,
    pub quantity: f64,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub price: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub order_type: Option<String>,
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "\"KRX\" | \"NXT\" | \"SOR\"")
    )]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub exchange: Option<String>,
}

impl OrderBodyInput {
    pub fn order(&self) -> OrderInput {
        OrderInput {
            symbol: self.symbol.clone(),
            quantity: self.quantity,
            price: self.price,
            order_type: self.order_type.clone(),
            exchange: self.exchange.clone(),
        }
    }
}

/// `cancel()`.
#[derive(Debug, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelInput {
    pub order_no: String,
    pub org_no: String,
    /// Default "all".
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "number | \"all\""))]
    pub quantity: Option<Value>,
    /// The exchange the order went to (KIS's EXCG_ID_DVSN_CD), as `Order.exchange` lists it:
    /// "KRX" (the default, as KIS takes none), "NXT" or "SOR" (the real environment only). KIS
    /// refuses a change that names another exchange than its order's.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "\"KRX\" | \"NXT\" | \"SOR\"")
    )]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub exchange: Option<String>,
}

/// `modify()`: an open order to a new price (or type, or a part of its quantity).
#[derive(Debug, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModifyInput {
    pub order_no: String,
    pub org_no: String,
    /// Default "all" (the whole remaining quantity).
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "number | \"all\""))]
    pub quantity: Option<Value>,
    /// The new limit price. Required unless `orderType` is a market type ("01"): a modification
    /// that only forgot its price must not turn a resting order into a market order.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub price: Option<f64>,
    /// ORD_DVSN code of the modified order.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub order_type: Option<String>,
    /// The exchange the order went to (KIS's EXCG_ID_DVSN_CD), as `Order.exchange` lists it:
    /// "KRX" (the default, as KIS takes none), "NXT" or "SOR" (the real environment only). KIS
    /// refuses a change that names another exchange than its order's.
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "\"KRX\" | \"NXT\" | \"SOR\"")
    )]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub exchange: Option<String>,
}

/// `getMinuteBars()`'s options.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MinuteBarsOptions {
    /// The last minute wanted, Korea time, "HH:MM" or "HH:MM:SS"; default now, or 15:30 (the
    /// last session's close) outside trading hours.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub until: Option<String>,
    /// KIS gives 30 minutes a call; each page goes 30 minutes further back, to 09:00. Default
    /// 1, at most 14 (the whole trading day).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub pages: Option<f64>,
}

/// `getDailyPrices()`'s options.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DailyPriceOptions {
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "\"D\" | \"W\" | \"M\"")
    )]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub period: Option<String>,
    /// Default true (FID_ORG_ADJ_PRC "1").
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub adjusted: Option<bool>,
}

/// `getBuyingPower()`.
#[derive(Debug, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BuyingPowerInput {
    pub symbol: String,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub price: Option<f64>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub order_type: Option<String>,
}

/// `getOrders()`'s filter.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrdersQuery {
    /// "YYYY-MM-DD" or "YYYYMMDD"; default today in Korea.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub from: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub to: Option<String>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub symbol: Option<String>,
}

/// `request()`: any other TR.
#[derive(Debug, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestSpec {
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "\"GET\" | \"POST\""))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub method: Option<String>,
    /// A /uapi/ path.
    pub path: String,
    pub tr_id: String,
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, string>")
    )]
    pub query: Option<Map<String, Value>>,
    #[cfg_attr(
        target_arch = "wasm32",
        tsify(optional, type = "Record<string, unknown>")
    )]
    pub body: Option<Value>,
    #[cfg_attr(target_arch = "wasm32", tsify(optional, type = "\"\" | \"N\""))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub tr_cont: Option<String>,
}

/// `call()`'s options.
#[derive(Debug, Default, Deserialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallOptions {
    /// Which TR ID, for an API that has several (KIS's conditions say which: 매도/매수, …).
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub tr_id: Option<String>,
    /// Follow `tr_cont` to the last page (bounded) and join the pages' rows; default false.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    #[serde(default, deserialize_with = "crate::input::not_null")]
    pub all_pages: Option<bool>,
}
