//! `KisRealtime`, KIS's websocket over the WebSocket constructor the caller injects (the
//! browser's own; in Node the `ws` package, or Node's global where it has one). The protocol is
//! `realtime::session`'s and the bookkeeping `realtime::connection`'s; this module owns the
//! socket, the callbacks and the timers.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, Either};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::transport::Clock;
use crate::env::Env;
use crate::error::KisError;
use crate::input::read;
use crate::realtime::connection::{Connection, Host, Leaving};
use crate::realtime::liveness::{check_every, dead_warning};
use crate::realtime::options::{settings, RealtimeOptions, Settings};
use crate::realtime::shapes::{Shape, Shaped};
use crate::realtime::subscriptions::{validate_tr_id, validate_tr_key};
use crate::symbol::validate_symbol;
use crate::wasm::convert::{fields, from_js, from_js_of_without, thrown, to_js};
use crate::wasm::errors::to_js_error;
use crate::wasm::host::{host_function, or_global};
use crate::wasm::timers::{JsClock, Ticker};
use crate::wasm::trap;
use crate::wasm::Core;

/// A socket event handler.
type Listener = Closure<dyn FnMut(JsValue)>;

/// The connection's surroundings in JS: the client (its log and masking) and the socket.
struct JsHost {
    core: Rc<Core>,
    socket: RefCell<Option<JsValue>>,
}

impl Host for JsHost {
    type Callback = Function;
    type Listener = Function;
    type Value = JsValue;

    fn send(&self, text: &str) {
        if let Some(socket) = self.socket.borrow().as_ref() {
            let send = Reflect::get(socket, &JsValue::from_str("send"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            if let Some(send) = send {
                let _ = send.call1(socket, &JsValue::from_str(text));
            }
        }
    }

    fn warn(&self, message: &str) {
        self.core.warn(message);
    }

    fn scrub(&self, e: KisError) -> KisError {
        self.core.scrub(e)
    }

    fn value(&self, shaped: &Shaped) -> JsValue {
        to_js(shaped)
    }

    fn call(&self, callback: &Function, value: &JsValue) -> Result<(), String> {
        callback
            .call1(&JsValue::UNDEFINED, value)
            .map(drop)
            .map_err(|e| thrown(&e))
    }

    fn tell(&self, listener: &Function, state: &str) -> Result<(), String> {
        listener
            .call1(&JsValue::UNDEFINED, &JsValue::from_str(state))
            .map(drop)
            .map_err(|e| thrown(&e))
    }
}

struct Inner {
    conn: Connection<JsHost>,
    ctor: Function,
    url: String,
    /// The socket's event handlers, kept alive while it is.
    listeners: RefCell<Vec<Listener>>,
    /// Ends the wait before a reconnect.
    backoff: RefCell<Option<oneshot::Sender<()>>>,
    /// Ends the watch over silence (`realtime::liveness`).
    watchdog: RefCell<Option<oneshot::Sender<()>>>,
    /// Whether it counts in `realtime_sockets`: from its first socket until `close()`.
    counted: Cell<bool>,
}

/// KIS's websocket for one client: subscriptions restored after every reconnect. Each
/// `kis.realtime()` of a client is a view of the client's one connection, with its own
/// subscriptions, state listeners and `close()`.
#[wasm_bindgen]
pub struct KisRealtime {
    inner: Rc<Inner>,
    view: u32,
}

thread_local! {
    /// The open connections, one a client at most.
    static CONNECTIONS: RefCell<Vec<std::rc::Weak<Inner>>> = const { RefCell::new(Vec::new()) };
}

impl Inner {
    fn core(&self) -> &Rc<Core> {
        &self.conn.host.core
    }

    fn socket(&self) -> &RefCell<Option<JsValue>> {
        &self.conn.host.socket
    }

    /// Counts this connection among its app key's once it first connects, and warns when
    /// another is open already: KIS allows one session an app key, and closes or refuses the
    /// other, which then reconnects with its backoff.
    fn count_socket(&self) {
        if self.counted.replace(true) {
            return;
        }
        if self.core().shared.realtime_opened() {
            self.core().warn(
                "KIS realtime: another connection of this app key is open in this process (another \
                 client's), and KIS allows one session an app key (it may close or refuse one): \
                 open realtime from one client, or close() the other first",
            );
        }
    }
}

/// A socket event handler that, once a panic has stopped the package, closes the socket
/// instead: the connection's state may be what the panic left half done.
fn listener(mut f: impl FnMut(JsValue) + 'static) -> Listener {
    Closure::new(move |ev: JsValue| {
        if trap::stopped() {
            let socket = Reflect::get(&ev, &JsValue::from_str("target")).unwrap_or_default();
            close_socket(&socket);
            return;
        }
        f(ev)
    })
}

/// Calls `socket.close()`, when it has one.
fn close_socket(socket: &JsValue) {
    let close = Reflect::get(socket, &JsValue::from_str("close"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    if let Some(close) = close {
        let _ = close.call0(socket);
    }
}

/// Opens a socket, and on its close (unless closed by the caller) another after a backoff.
fn connect(inner: &Rc<Inner>) {
    if inner.conn.is_closed() {
        return;
    }
    inner.conn.connecting(JsClock.now_ms());
    inner.count_socket();
    let socket = match Reflect::construct(&inner.ctor, &Array::of1(&JsValue::from_str(&inner.url)))
    {
        Ok(s) => s,
        Err(_) => return reconnect_later(inner),
    };
    let (on_open, on_message, on_close) = {
        let (a, b, c) = (inner.clone(), inner.clone(), inner.clone());
        (
            listener(move |_| a.conn.opened(JsClock.now_ms())),
            listener(move |ev| {
                b.conn.heard(JsClock.now_ms());
                // KIS sends text; anything else is not a frame of its.
                let Some(data) = Reflect::get(&ev, &JsValue::from_str("data"))
                    .ok()
                    .filter(JsValue::is_string)
                else {
                    return;
                };
                // Measured before it is copied into the wasm memory, which would keep its size:
                // KIS's frames are a few KB, and `maxResponseBytes` bounds an answer as well.
                let units = data.unchecked_ref::<js_sys::JsString>().length() as usize;
                let cap = b.core().cfg.max_response_bytes;
                if units > cap {
                    b.core().warn(&format!(
                        "KIS realtime: a frame of {units} characters, past {cap} \
                         (options.maxResponseBytes), was dropped unread"
                    ));
                } else if let Some(text) = data.as_string() {
                    b.conn.on_message(&text);
                }
            }),
            listener(move |_| {
                // Closed by the caller: `close()` said "closed" already.
                if c.conn.dropped() {
                    reconnect_later(&c);
                }
            }),
        )
    };
    // An error is followed by a close, which reconnects; unheard, Node's `ws` would throw it.
    let on_error = listener(|_| {});
    for (name, f) in [
        ("onopen", &on_open),
        ("onmessage", &on_message),
        ("onclose", &on_close),
        ("onerror", &on_error),
    ] {
        let _ = Reflect::set(&socket, &JsValue::from_str(name), f.as_ref());
    }
    *inner.listeners.borrow_mut() = vec![on_open, on_message, on_close, on_error];
    *inner.socket().borrow_mut() = Some(socket);
    // Watched from its making: one whose upgrade is never answered would wait for good.
    watch(inner);
}

/// Watches the socket just made (the watch over the one before ends): one that does not open,
/// or hears nothing, for `silence_ms` is taken for dead (`realtime::liveness`).
fn watch(inner: &Rc<Inner>) {
    let ms = inner.conn.silence_ms;
    if ms <= 0.0 {
        return;
    }
    let (ticker, stop) = Ticker::new();
    *inner.watchdog.borrow_mut() = Some(stop);
    let inner = inner.clone();
    trap::spawn(async move {
        while ticker.tick(check_every(ms)).await {
            if inner.conn.is_closed() {
                return;
            }
            if inner.conn.is_silent(JsClock.now_ms()) {
                return retire(&inner);
            }
        }
    });
}

/// Drops a socket taken for dead and connects again. Its handlers are taken off first (a no-op
/// for errors, which Node's `ws` would throw unheard): a dead peer may answer the close late or
/// never, and the next socket's handlers replace these.
fn retire(inner: &Rc<Inner>) {
    let opening = inner.conn.is_opening();
    inner
        .core()
        .warn(&dead_warning(inner.conn.silence_ms, opening));
    let old = inner.socket().borrow_mut().take();
    if let Some(old) = old {
        for name in ["onopen", "onmessage", "onclose"] {
            let _ = Reflect::set(&old, &JsValue::from_str(name), &JsValue::NULL);
        }
        NOOP.with(|f| {
            Reflect::set(
                &old,
                &JsValue::from_str("onerror"),
                f.as_ref().unchecked_ref(),
            )
        })
        .ok();
        // Node's `ws` drops the connection at once with `terminate`; `close` waits for the peer.
        match Reflect::get(&old, &JsValue::from_str("terminate"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        {
            Some(terminate) => {
                let _ = terminate.call0(&old);
            }
            None => close_socket(&old),
        }
    }
    if inner.conn.dropped() {
        reconnect_later(inner);
    }
}

thread_local! {
    /// The error handler of a socket taken for dead: it must have one, and must not call into
    /// a connection that has moved on.
    static NOOP: Closure<dyn Fn(JsValue)> = Closure::new(|_| {});
}

/// Connects again after `realtime::backoff`'s wait: a dropped connection comes back with
/// every subscription.
fn reconnect_later(inner: &Rc<Inner>) {
    let wait = inner.conn.reconnect_wait();
    // close() ends the wait at once (its timer cleared), so that Node can exit then, rather
    // than when a backoff of up to 30 s is over.
    let (ticker, stop) = Ticker::new();
    *inner.backoff.borrow_mut() = Some(stop);
    let inner = inner.clone();
    trap::spawn(async move {
        if ticker.tick(wait).await {
            // A connection back after a day needs a younger key than the one it started with
            // (`APPROVAL_REUSE_MS`). If KIS cannot give one now, the old one is tried.
            if let Ok(key) = inner.core().ensure_approval_key().await {
                inner.conn.set_approval_key(&key);
            }
            connect(&inner);
        }
    });
}

/// Subscribes `callback` to `tr_id` for `tr_key`, records in `shape`; resolves to the
/// function that ends the subscription once KIS took it, and rejects with KIS's reason when it
/// refused it. A KIS that stays silent past `timeoutMs` leaves it in place, resolved: it is sent
/// again with every reconnect.
fn add(
    inner: Rc<Inner>,
    view: u32,
    tr_id: String,
    tr_key: String,
    shape: Shape,
    callback: Function,
) -> Promise {
    trap::promise(
        false,
        Box::pin(async move {
            let refuse = |e: KisError| to_js_error(&e);
            inner.conn.refuse_if_closed(view).map_err(refuse)?;
            let key = inner.core().ensure_approval_key().await.map_err(refuse)?;
            // Closed while the key was asked for.
            inner.conn.refuse_if_closed(view).map_err(refuse)?;
            let sub = inner
                .conn
                .subscribe(view, &key, (&tr_id, &tr_key), shape, callback)
                .map_err(refuse)?;
            if inner.socket().borrow().is_none() {
                connect(&inner);
            }
            let said = match sub.answer {
                Some(rx) => {
                    let wait = inner.core().cfg.timeout_ms.unwrap_or(30_000) as f64;
                    match select(rx, Box::pin(JsClock.sleep(wait))).await {
                        Either::Left((Ok(said), _)) => said,
                        _ => None,
                    }
                }
                None => None,
            };
            inner.conn.answered(sub.id, said).map_err(refuse)?;
            let (stop_inner, id) = (inner.clone(), sub.id);
            // Calling it again does nothing (a `once` closure would throw a plain `Error`).
            let done = Cell::new(false);
            let stop = Closure::<dyn FnMut()>::new(move || {
                // After a panic, the handlers may be borrowed by what panicked.
                if !done.replace(true) && !trap::stopped() {
                    stop_inner.conn.end(id);
                }
            });
            Ok(stop.into_js_value())
        }),
    )
}

impl KisRealtime {
    /// A curated subscription by symbol, the symbol checked before anything connects.
    fn of_symbol(&self, tr_id: &str, symbol: JsValue, shape: Shape, callback: JsValue) -> Promise {
        let checked = text("symbol", symbol).and_then(|symbol| {
            validate_symbol("symbol", &symbol)?;
            Ok((symbol, function("callback", callback)?))
        });
        match checked {
            Ok((symbol, callback)) => add(
                self.inner.clone(),
                self.view,
                tr_id.into(),
                symbol,
                shape,
                callback,
            ),
            Err(e) => refused(e),
        }
    }
}

// The methods take their arguments as JS values and check them here: wasm-bindgen's own
// `String` parameters trust the TypeScript, and a number passed for one corrupts the memory.

/// A string argument, or a validation error naming it.
fn text(field: &str, v: JsValue) -> Result<String, KisError> {
    match v.as_string() {
        Some(s) => Ok(s),
        // Said in the words of every other argument ("must be a string, got the number 5930").
        None => from_js(field, v).and_then(|v| read::<String>(field, &v)),
    }
}

/// A function argument, or a validation error naming it.
fn function(field: &str, v: JsValue) -> Result<Function, KisError> {
    v.dyn_into()
        .map_err(|_| KisError::validation(field, "must be a function"))
}

/// A promise already rejected with `error`: the curated methods refuse bad input as the
/// client's methods do, through the promise, before anything is sent.
fn refused(error: KisError) -> Promise {
    Promise::reject(&to_js_error(&error))
}

#[wasm_bindgen]
impl KisRealtime {
    /// Subscribes `callback` to `trId` for `trKey` (a symbol; the HTS ID for fill notices).
    /// Resolves to a function that ends the subscription. (Its TypeScript, generic over the TR,
    /// is in `wasm/mod.rs`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn subscribe(&self, tr_id: JsValue, tr_key: JsValue, callback: JsValue) -> Promise {
        let checked = (|| {
            let tr_id = text("trId", tr_id)?;
            validate_tr_id("trId", &tr_id, self.inner.core().cfg.env)?;
            let tr_key = text("trKey", tr_key)?;
            validate_tr_key(
                "trKey",
                &tr_key,
                "the TR's key (a symbol; the HTS ID for notices)",
            )?;
            Ok((tr_id, tr_key, function("callback", callback)?))
        })();
        match checked {
            Ok((tr_id, tr_key, callback)) => add(
                self.inner.clone(),
                self.view,
                tr_id,
                tr_key,
                Shape::Record,
                callback,
            ),
            Err(e) => refused(e),
        }
    }

    /// Every trade of `symbol` (H0STCNT0), as a `Trade`. Resolves to a function that ends the
    /// subscription.
    #[wasm_bindgen(unchecked_return_type = "Promise<() => void>")]
    pub fn trades(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] symbol: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(trade: Trade) => void")] callback: JsValue,
    ) -> Promise {
        self.of_symbol("H0STCNT0", symbol, Shape::Trade, callback)
    }

    /// `symbol`'s orderbook (H0STASP0) on every change, as the `Orderbook` of `getOrderbook`.
    /// Resolves to a function that ends the subscription.
    #[wasm_bindgen(unchecked_return_type = "Promise<() => void>")]
    pub fn orderbook(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] symbol: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(book: Orderbook) => void")] callback: JsValue,
    ) -> Promise {
        self.of_symbol("H0STASP0", symbol, Shape::Orderbook, callback)
    }

    /// The account's order and fill notices (H0STCNI0; H0STCNI9 in mock), decrypted, for the
    /// HTS ID the app key was issued to. Resolves to a function that ends the subscription.
    #[wasm_bindgen(unchecked_return_type = "Promise<() => void>")]
    pub fn fills(
        &self,
        #[wasm_bindgen(js_name = htsId, unchecked_param_type = "string")] hts_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(notice: FillNotice) => void")] callback: JsValue,
    ) -> Promise {
        let checked = text("htsId", hts_id).and_then(|hts_id| {
            validate_tr_key("htsId", &hts_id, "the HTS ID the app key was issued to")?;
            Ok((hts_id, function("callback", callback)?))
        });
        let (hts_id, callback) = match checked {
            Ok(checked) => checked,
            Err(e) => return refused(e),
        };
        let tr = match self.inner.core().cfg.env {
            Env::Real => "H0STCNI0",
            Env::Mock => "H0STCNI9",
        };
        add(
            self.inner.clone(),
            self.view,
            tr.into(),
            hts_id,
            Shape::Fill,
            callback,
        )
    }

    /// Calls `listener` with "connecting", "open", "reconnecting" or "closed".
    #[wasm_bindgen(js_name = onState)]
    pub fn on_state(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "(state: \"connecting\" | \"open\" | \"reconnecting\" | \"closed\") => void"
        )]
        listener: JsValue,
    ) -> Result<(), JsValue> {
        trap::refuse_if_stopped()?;
        let listener = function("listener", listener).map_err(|e| to_js_error(&e))?;
        self.inner.conn.on_state(self.view, listener);
        Ok(())
    }

    /// How many subscriptions the connection holds (KIS allows 41).
    #[wasm_bindgen(getter)]
    pub fn subscriptions(&self) -> u32 {
        if trap::stopped() {
            return 0;
        }
        self.inner.conn.subscriptions() as u32
    }

    /// Ends this view's subscriptions, and the connection with the last view; a subscription
    /// of it still waiting for KIS's answer fails. Again, it does nothing.
    pub fn close(&self) {
        match self.inner.conn.leave(self.view) {
            Leaving::Before => return,
            Leaving::Others if !trap::stopped() => return self.inner.conn.end_view(self.view),
            _ => {}
        }
        self.inner.conn.close();
        if self.inner.counted.replace(false) {
            self.inner.core().shared.realtime_closed();
        }
        // The wait before a reconnect and the watch over silence end with their timers.
        for timer in [&self.inner.backoff, &self.inner.watchdog] {
            if let Some(stop) = timer.try_borrow_mut().ok().and_then(|mut t| t.take()) {
                let _ = stop.send(());
            }
        }
        // `try_`: once a panic has stopped the package, the socket's cell may be borrowed.
        let socket = self
            .inner
            .socket()
            .try_borrow_mut()
            .ok()
            .and_then(|mut s| s.take());
        if let Some(socket) = socket {
            close_socket(&socket);
        }
        if !trap::stopped() {
            self.inner.conn.state("closed");
        }
    }
}

/// `kis.realtime({ WebSocket, url })`.
pub fn open(core: Rc<Core>, options: &JsValue) -> Result<KisRealtime, JsValue> {
    // The data options read as the client's are (a getter that throws, a key unknown, a value
    // of the wrong kind: each named); the constructor beside them, as a host value.
    let given = !options.is_undefined() && !options.is_null();
    let data = match given {
        true => from_js_of_without(
            "options",
            options.clone(),
            &["WebSocket"],
            fields::<RealtimeOptions>(),
            None,
        ),
        false => Ok(serde_json::Value::Null),
    };
    let Settings { url, silence_ms } = data
        .and_then(|v| settings(&v, &core.cfg.base_url, core.cfg.env))
        .map_err(|e| to_js_error(&e))?;
    let given_ctor = match given {
        true => host_function(
            options,
            "WebSocket",
            "a WebSocket constructor (in Node, WebSocket from the ws package)",
        )?,
        false => None,
    };
    let ctor = or_global(
        given_ctor,
        "WebSocket",
        "is required: this runtime has no global WebSocket (in Node, pass WebSocket from the ws package)",
    )?;
    // The client's open connection, if it has one: KIS allows one session an app key.
    let live = CONNECTIONS.with(|all| {
        let mut all = all.borrow_mut();
        all.retain(|c| c.upgrade().is_some_and(|c| !c.conn.is_closed()));
        all.iter()
            .filter_map(std::rc::Weak::upgrade)
            .find(|c| Rc::ptr_eq(c.core(), &core))
    });
    if let Some(inner) = live {
        if inner.url != url {
            return Err(to_js_error(&KisError::validation(
                "options.url",
                format!(
                    "is not this client's open realtime connection ({}), and KIS allows one \
                     session an app key: close() it first, got {url:?}",
                    inner.url
                ),
            )));
        }
        let view = inner.conn.add_view();
        return Ok(KisRealtime { inner, view });
    }
    let cust = core.cfg.cust_type;
    let host = JsHost {
        core,
        socket: RefCell::default(),
    };
    let inner = Rc::new(Inner {
        conn: Connection::new(host, cust, silence_ms),
        ctor,
        url,
        listeners: RefCell::default(),
        backoff: RefCell::default(),
        watchdog: RefCell::default(),
        counted: Cell::new(false),
    });
    CONNECTIONS.with(|all| all.borrow_mut().push(Rc::downgrade(&inner)));
    Ok(KisRealtime { inner, view: 1 })
}
