//! The engines behind the glue's `KisClient` class, by the number of the glue's record of their
//! host options (never reused). Each method call runs as a task holding its own reference to
//! the engine, so any number of calls can be in flight at once, and a client freed by the glue
//! lives until its last call ends.

use crate::prelude::*;

use crate::cell::RefCell;
use alloc::rc::Rc;
use core::future::Future;
use core::pin::Pin;

use crate::engine::config::Config;
use crate::engine::shared::Registry;
use crate::engine::token::REFRESH_INTERVAL_MS;
use crate::error::{KisError, Result};
use crate::input::whole_number;
use crate::json::{self, ToJson, Value};
use crate::wasm::abi::{self, take};
use crate::wasm::errors::error_json;
use crate::wasm::fetch::JsTransport;
use crate::wasm::helpers::{answer, arg, args};
use crate::wasm::observer::JsObserver;
use crate::wasm::store::JsTokenStore;
use crate::wasm::tasks::{spawn, JsRef};
use crate::wasm::timers::{JsClock, Ticker};
use crate::wasm::SingleThreaded;
use crate::KisCore;

type Core = KisCore<JsTransport, JsClock, JsTokenStore>;

/// Options the glue handles itself (functions and objects with methods); it passes each as a
/// boolean: whether one was given.
const HOST_KEYS: &[&str] = &["fetch", "tokenStore", "onEvent", "logger"];

type Clients = Vec<(u32, Rc<Core>)>;

static CLIENTS: SingleThreaded<RefCell<Clients>> = SingleThreaded(RefCell::new(Vec::new()));

/// The state the clients of one app key share (`engine::shared` says why).
static SHARED: SingleThreaded<Registry> = SingleThreaded(Registry::new());

/// Client `id`, or the error of a call on one the glue has freed.
fn client(id: u32) -> Result<Rc<Core>> {
    let clients = CLIENTS.0.borrow();
    clients
        .iter()
        .find(|(h, _)| *h == id)
        .map(|(_, c)| c.clone())
        .ok_or_else(|| KisError::validation("this", "is a freed KisClient"))
}

fn build(host: JsRef, options: &str) -> Result<Core> {
    let id = host.0;
    let v = json::parse(options).ok_or_else(|| KisError::validation("options", "is not JSON"))?;
    if !matches!(v, Value::Object(_)) {
        return Err(KisError::validation("options", "must be an object"));
    }
    let cfg = Config::from_value(&v, HOST_KEYS)?;
    let given = |k: &str| matches!(v.get(k), Some(Value::Bool(true)));
    // The glue's number for the `fetch` function, the client's way to KIS.
    let way = v.get("fetch").and_then(Value::as_f64).unwrap_or(0.0) as u32;
    let store = if given("tokenStore") {
        JsTokenStore::Js(id)
    } else {
        JsTokenStore::None
    };
    let observer = JsObserver {
        client: id,
        listening: given("onEvent"),
    };
    Ok(KisCore::sharing(
        SHARED.0.join(&cfg, way),
        cfg,
        JsTransport { host },
        JsClock,
        store,
        Rc::new(observer),
    ))
}

/// A new client over the glue's host record `host`, from its options' JSON: 1, or 0 with the
/// error through `ret`.
///
/// # Safety
/// `ptr`, `len`, `cap`: a buffer of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_client_new(host: u32, ptr: *mut u8, len: usize, cap: usize) -> u32 {
    let options = unsafe { take(ptr, len, cap) };
    match build(JsRef(host), &options) {
        Ok(core) => {
            CLIENTS.0.borrow_mut().push((host, Rc::new(core)));
            1
        }
        Err(e) => answer(Err(e)),
    }
}

#[no_mangle]
pub extern "C" fn kis_client_free(id: u32) {
    let mut clients = CLIENTS.0.borrow_mut();
    let dropped = clients
        .iter()
        .position(|(h, _)| *h == id)
        .map(|i| clients.swap_remove(i));
    drop(clients);
    drop(dropped);
}

type Call = Pin<Box<dyn Future<Output = Result<String>>>>;

fn out<T: ToJson>(r: Result<T>) -> Result<String> {
    r.map(|v| json::to_string(&v))
}

/// The method `method` of the glue's table (`METHODS` in glue.mjs) with its arguments.
fn call(c: Rc<Core>, method: u32, a: Vec<Value>) -> Call {
    Box::pin(async move {
        let a0 = arg(&a, 0);
        match method {
            0 => out(c.get_price(a0).await),
            1 => out(c.get_daily_prices(a0, arg(&a, 1)).await),
            2 => out(c.get_balance().await),
            3 => out(c.get_buying_power(a0).await),
            4 => out(c.get_orders(a0).await),
            5 => out(c.buy(a0).await),
            6 => out(c.sell(a0).await),
            7 => out(c.cancel(a0).await),
            8 => out(c.request(a0).await),
            9 => {
                c.ensure_token().await?;
                out(Ok(c.token_info()))
            }
            10 => out(c.force_refresh_token().await),
            11 => out(c.refresh_if_expiring_soon().await),
            _ => Err(KisError::validation("method", "is not a KisClient method")),
        }
    })
}

/// Starts method `method` of client `id` with its arguments' JSON array; the promise numbered
/// `op` in the glue settles with its result.
///
/// # Safety
/// `ptr`, `len`, `cap`: a buffer of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_call(
    id: u32,
    method: u32,
    op: u32,
    ptr: *mut u8,
    len: usize,
    cap: usize,
) {
    let a = args(&unsafe { take(ptr, len, cap) });
    let result = client(id).map(|c| call(c, method, a));
    spawn(async move {
        let result = match result {
            Ok(fut) => fut.await,
            Err(e) => Err(e),
        };
        let (ok, text, error) = match result {
            Ok(text) => (1, text, None),
            Err(e) => (0, error_json(&e), Some(e)),
        };
        // SAFETY: the import reads the text before returning. `error` keeps its cause's JS
        // object alive until then.
        unsafe { abi::settle(op, ok, text.as_ptr(), text.len()) };
        drop(error);
    });
}

/// `client.token`: TokenInfo or null, through `ret`.
#[no_mangle]
pub extern "C" fn kis_token(id: u32) {
    let info = client(id).ok().and_then(|c| c.token_info());
    abi::ret_str(&json::to_string(&info));
}

/// S8's refresher for client `id`, whose waits go through the glue's ticker `ticker`, every
/// `interval_ms` when `given` (else 30 minutes): 1, or 0 with the error through `ret`.
#[no_mangle]
pub extern "C" fn kis_start_refresh(id: u32, ticker: u32, given: u32, interval_ms: f64) -> u32 {
    let interval = if given == 0 {
        Ok(REFRESH_INTERVAL_MS)
    } else {
        whole_number("intervalMs", interval_ms, 1000.0).map(|ms| ms as f64)
    };
    let (interval, core) = match interval.and_then(|i| Ok((i, client(id)?))) {
        Ok(started) => started,
        Err(e) => return answer(Err(e)),
    };
    let ticker = Ticker(ticker);
    spawn(async move {
        core.run_token_refresh(interval, |ms| ticker.tick(ms)).await;
    });
    1
}
