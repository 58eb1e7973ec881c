//! `KisRealtime`, KIS's websocket over the WebSocket constructor the caller injects (the
//! browser's own; in Node the `ws` package, or Node's global where it has one). The protocol is
//! `realtime::session`'s; this module owns the socket, the callbacks and the reconnect timer.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, Either};
use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::transport::Clock;
use crate::env::Env;
use crate::error::{ErrorKind, KisError};
use crate::realtime::backoff::reconnect_wait_ms;
use crate::realtime::liveness::{check_every, dead_warning, is_dead, silence_ms};
use crate::realtime::session::{Incoming, Session};
use crate::realtime::shapes::Shape;
use crate::realtime::subscriptions::{validate_tr_id, validate_tr_key};
use crate::symbol::validate_symbol;
use crate::wasm::convert::{thrown, to_js};
use crate::wasm::errors::{invalid, to_js_error};
use crate::wasm::timers::{JsClock, Ticker};
use crate::wasm::trap;
use crate::wasm::Core;

/// A socket event handler.
type Listener = Closure<dyn FnMut(JsValue)>;

/// A new subscription waiting for KIS's answer: its view, TR and key, and where to say the
/// answer (its refusal, if any).
struct Pending {
    view: u32,
    tr_id: String,
    tr_key: String,
    answer: oneshot::Sender<Option<KisError>>,
}

/// A subscriber: its view, its TR, its key, the shape it asked for, its callback, and a number
/// to stop it by.
struct Handler {
    view: u32,
    id: u32,
    tr_id: String,
    tr_key: String,
    shape: Shape,
    callback: Function,
    /// Whether its callback's throwing has been logged: once, not on every record.
    warned: Cell<bool>,
}

struct Inner {
    core: Rc<Core>,
    ctor: Function,
    url: String,
    session: RefCell<Option<Rc<Session>>>,
    socket: RefCell<Option<JsValue>>,
    open: Cell<bool>,
    closed: Cell<bool>,
    attempt: Cell<u32>,
    handlers: RefCell<Vec<Handler>>,
    next_id: Cell<u32>,
    /// State listeners, each with its view.
    on_state: RefCell<Vec<(u32, Function)>>,
    /// The `KisRealtime` objects of the connection still open (`kis.realtime()` hands a
    /// client's open connection out again, as a view of its own: KIS allows one session an app
    /// key); the socket closes with the last.
    views: RefCell<Vec<u32>>,
    next_view: Cell<u32>,
    /// Whether a state listener has thrown (and been logged) already.
    listener_threw: Cell<bool>,
    /// The state said last: each is said once, where a reconnect's wait and its attempt would
    /// both say "reconnecting".
    said: RefCell<String>,
    /// Whether KIS refused the session since the connection last worked: the refusal is logged
    /// once, not on every reconnect it refuses, and reconnects wait longer.
    session_refused: Cell<bool>,
    /// New subscriptions waiting for KIS's answer: their TR and key, and where to say it.
    pending: RefCell<Vec<Pending>>,
    /// The socket's event handlers, kept alive while it is.
    listeners: RefCell<Vec<Listener>>,
    /// Ends the wait before a reconnect.
    backoff: RefCell<Option<oneshot::Sender<()>>>,
    /// `options.silenceMs` (`realtime::liveness`), when the socket last heard anything, and
    /// what ends the watch over it.
    silence_ms: f64,
    heard_at: Cell<f64>,
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
    fn state(&self, state: &str) {
        if self.said.replace(state.to_string()) != state {
            self.tell(|_| true, state);
        }
    }

    /// Calls the state listeners of the views `which` picks with `state`.
    fn tell(&self, which: impl Fn(u32) -> bool, state: &str) {
        // Copied out first: a listener may add another, or close the connection.
        let listeners: Vec<Function> = self
            .on_state
            .borrow()
            .iter()
            .filter(|(v, _)| which(*v))
            .map(|(_, f)| f.clone())
            .collect();
        for f in listeners {
            // A throwing state listener must not stop the others or the socket; it is logged,
            // once a connection, as a callback's throw is.
            if let Err(e) = f.call1(&JsValue::UNDEFINED, &JsValue::from_str(state)) {
                if !self.listener_threw.replace(true) {
                    self.core.warn(&format!(
                        "KIS realtime: a state listener threw ({}); the connection goes on, \
                         and later throws are not logged",
                        thrown(&e)
                    ));
                }
            }
        }
    }

    /// Fails the subscriptions waiting for KIS's answer that `which` picks, one at a time, each
    /// told with nothing borrowed, and returns how many. (`try_`: once a panic has stopped the
    /// package, the cell may be borrowed.)
    fn fail_waiting(
        &self,
        which: impl Fn(&Pending) -> bool,
        error: impl Fn() -> KisError,
    ) -> usize {
        let mut failed = 0;
        loop {
            let next = self.pending.try_borrow_mut().ok().and_then(|mut pending| {
                let at = pending.iter().position(&which)?;
                Some(pending.remove(at))
            });
            let Some(p) = next else { break };
            let _ = p.answer.send(Some(error()));
            failed += 1;
        }
        failed
    }

    fn send(&self, text: &str) {
        if !self.open.get() {
            return; // sent with every subscription when the socket opens
        }
        if let Some(socket) = self.socket.borrow().as_ref() {
            let send = Reflect::get(socket, &JsValue::from_str("send"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            if let Some(send) = send {
                let _ = send.call1(socket, &JsValue::from_str(text));
            }
        }
    }

    /// A subscription asked of a view the caller closed fails rather than waiting for an
    /// answer that cannot come (and then resolving as though KIS had taken it).
    fn refuse_if_closed(&self, view: u32) -> Result<(), JsValue> {
        if self.closed.get() || !self.views.borrow().contains(&view) {
            return Err(to_js_error(&closed_error()));
        }
        Ok(())
    }

    /// Ends subscription `id`, and KIS's subscription to its TR and key when no other
    /// subscriber has it.
    fn end(&self, id: u32) {
        let mut handlers = self.handlers.borrow_mut();
        let Some(at) = handlers.iter().position(|h| h.id == id) else {
            return;
        };
        let h = handlers.remove(at);
        let last = !handlers
            .iter()
            .any(|o| o.tr_id == h.tr_id && o.tr_key == h.tr_key);
        drop(handlers);
        if last {
            let off = self
                .session
                .borrow()
                .as_ref()
                .and_then(|s| s.unsubscribe(&h.tr_id, &h.tr_key));
            if let Some(f) = off {
                self.send(&f);
            }
        }
    }

    /// Counts this connection among its app key's once it first connects, and warns when
    /// another is open already: KIS allows one session an app key, and closes or refuses the
    /// other, which then reconnects with its backoff.
    fn count_socket(&self) {
        if self.counted.replace(true) {
            return;
        }
        if self.core.shared.realtime_opened() {
            self.core.warn(
                "KIS realtime: another connection of this app key is open in this process (another \
                 client's), and KIS allows one session an app key (it may close or refuse one): \
                 open realtime from one client, or close() the other first",
            );
        }
    }

    /// `view`'s part of the connection ended, others going on: its subscriptions (and KIS's to
    /// what no other view has), its waiting subscriptions (which fail) and its state listeners
    /// (told "closed").
    fn close_view(&self, view: u32) {
        let ids: Vec<u32> = self
            .handlers
            .borrow()
            .iter()
            .filter(|h| h.view == view)
            .map(|h| h.id)
            .collect();
        for id in ids {
            self.end(id);
        }
        self.fail_waiting(|p| p.view == view, closed_error);
        self.tell(|v| v == view, "closed");
        self.on_state.borrow_mut().retain(|(v, _)| *v != view);
    }

    /// KIS took a subscription or sent data: the connection works, and the next drop waits
    /// the shortest backoff again. Not on `open`: a server that accepts the socket and closes
    /// it (KIS does, for an approval key in use elsewhere) would be reconnected to twice a
    /// second for ever.
    fn stable(&self) {
        self.attempt.set(0);
        self.session_refused.set(false);
    }

    /// KIS refused the whole session (`OPSP8996`: another connection holds the app key's one
    /// session), and closes the socket after it. The subscriptions waiting for an answer fail
    /// with it, rather than resolving at `timeoutMs` as though KIS had taken them; those already
    /// taken are asked again with each reconnect, the refusal logged once until one works.
    fn refused(&self, e: KisError) {
        let told = self.fail_waiting(|_| true, || e.clone());
        let restoring = self.handlers.borrow().len() > told;
        if !self.session_refused.replace(true) && restoring {
            self.core.warn(&format!(
                "KIS realtime: {}; the subscriptions are asked again with each reconnect",
                e.message
            ));
        }
    }

    /// A callback's throw is the caller's bug, which would otherwise go unseen: it is logged,
    /// once a subscription, and the callback still gets every record.
    fn callback_threw(&self, id: u32, e: &JsValue) {
        let first = self
            .handlers
            .borrow()
            .iter()
            .find(|h| h.id == id && !h.warned.replace(true))
            .map(|h| format!("{} {}", h.tr_id, h.tr_key));
        if let Some(what) = first {
            self.core.warn(&format!(
                "KIS realtime: the callback of {what} threw ({}); it still gets every record, \
                 and its later throws are not logged",
                thrown(e)
            ));
        }
    }

    fn dispatch(&self, raw: &str) {
        let Some(session) = self.session.borrow().clone() else {
            return;
        };
        match session.on_message(raw) {
            Incoming::Reply(text) => self.send(&text),
            Incoming::Records { tr_id, records } => {
                self.stable();
                // The callbacks are called once the handlers are no longer borrowed: a callback
                // may end its subscription (or another), or start one.
                let mut calls: Vec<(u32, Function, JsValue)> = Vec::new();
                let handlers = self.handlers.borrow();
                for record in records {
                    // A record names what it is about first (the symbol; the HTS ID of a fill
                    // notice), as its subscription did; one naming nothing subscribed goes to
                    // every subscriber of its TR rather than to none.
                    let key = record
                        .values()
                        .next()
                        .and_then(|v| v.as_str())
                        .unwrap_or("");
                    let of_tr = || handlers.iter().filter(|h| h.tr_id == tr_id);
                    let keyed = of_tr().any(|h| h.tr_key == key);
                    // Each shape is made once per record, however many subscribers share it.
                    let mut made: Vec<(Shape, JsValue)> = Vec::new();
                    for h in of_tr().filter(|h| !keyed || h.tr_key == key) {
                        let value = match made.iter().find(|(s, _)| *s == h.shape) {
                            Some((_, v)) => v.clone(),
                            None => {
                                let v = to_js(&h.shape.apply(&record));
                                made.push((h.shape, v.clone()));
                                v
                            }
                        };
                        calls.push((h.id, h.callback.clone(), value));
                    }
                }
                drop(handlers);
                for (id, callback, value) in calls {
                    // Skipped when a callback before it, in this frame, ended its subscription.
                    if self.handlers.borrow().iter().any(|h| h.id == id) {
                        if let Err(e) = callback.call1(&JsValue::UNDEFINED, &value) {
                            self.callback_threw(id, &e);
                        }
                    }
                }
            }
            Incoming::Answer(a) if a.of_session() => {
                if let Some(e) = a.refusal() {
                    self.refused(self.core.scrub(e));
                }
            }
            Incoming::Answer(a) => {
                let waiting = {
                    let mut pending = self.pending.borrow_mut();
                    let at = pending
                        .iter()
                        .position(|p| p.tr_id == a.tr_id && p.tr_key == a.tr_key);
                    at.map(|i| pending.remove(i).answer)
                };
                let refusal = a.refusal();
                if refusal.is_none() {
                    self.stable();
                }
                match (waiting, refusal) {
                    // The subscriber's promise says it.
                    (Some(tx), refusal) => {
                        let _ = tx.send(refusal);
                    }
                    // A subscription restored after a reconnect, refused: no promise waits.
                    (None, Some(e)) => self.core.warn(&e.message),
                    (None, None) => {}
                }
            }
            Incoming::Unreadable(why) => self.core.warn(&format!("KIS realtime: {why}")),
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
    if inner.closed.get() {
        return;
    }
    inner.state(if inner.attempt.get() == 0 {
        "connecting"
    } else {
        "reconnecting"
    });
    inner.count_socket();
    let socket = match Reflect::construct(&inner.ctor, &Array::of1(&JsValue::from_str(&inner.url)))
    {
        Ok(s) => s,
        Err(_) => return reconnect_later(inner),
    };
    let (on_open, on_message, on_close) = {
        let (a, b, c) = (inner.clone(), inner.clone(), inner.clone());
        (
            listener(move |_| {
                a.open.set(true);
                a.heard_at.set(JsClock.now_ms());
                watch(&a);
                a.state("open");
                let frames = a
                    .session
                    .borrow()
                    .as_ref()
                    .map(|s| s.on_open())
                    .unwrap_or_default();
                for f in frames {
                    a.send(&f);
                }
            }),
            listener(move |ev| {
                b.heard_at.set(JsClock.now_ms());
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
                let cap = b.core.cfg.max_response_bytes;
                if units > cap {
                    b.core.warn(&format!(
                        "KIS realtime: a frame of {units} characters, past {cap} \
                         (options.maxResponseBytes), was dropped unread"
                    ));
                } else if let Some(text) = data.as_string() {
                    b.dispatch(&text);
                }
            }),
            listener(move |_| {
                c.open.set(false);
                // Closed by the caller: `close()` said "closed" already.
                if !c.closed.get() {
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
    *inner.socket.borrow_mut() = Some(socket);
}

/// Watches the socket just opened (the watch over the one before ends): one that hears nothing
/// for `silence_ms` is taken for dead (`realtime::liveness`).
fn watch(inner: &Rc<Inner>) {
    let ms = inner.silence_ms;
    if ms <= 0.0 {
        return;
    }
    let (ticker, stop) = Ticker::new();
    *inner.watchdog.borrow_mut() = Some(stop);
    let inner = inner.clone();
    trap::spawn(async move {
        while ticker.tick(check_every(ms)).await {
            if inner.closed.get() {
                return;
            }
            if inner.open.get() && is_dead(JsClock.now_ms(), inner.heard_at.get(), ms) {
                return retire(&inner);
            }
        }
    });
}

/// Drops a socket taken for dead and connects again. Its handlers are taken off first (a no-op
/// for errors, which Node's `ws` would throw unheard): a dead peer may answer the close late or
/// never, and the next socket's handlers replace these.
fn retire(inner: &Rc<Inner>) {
    inner.core.warn(&dead_warning(inner.silence_ms));
    let old = inner.socket.borrow_mut().take();
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
    inner.open.set(false);
    reconnect_later(inner);
}

thread_local! {
    /// The error handler of a socket taken for dead: it must have one, and must not call into
    /// a connection that has moved on.
    static NOOP: Closure<dyn Fn(JsValue)> = Closure::new(|_| {});
}

/// Connects again after `realtime::backoff`'s wait: a dropped connection comes back with
/// every subscription.
fn reconnect_later(inner: &Rc<Inner>) {
    let n = inner.attempt.get();
    inner.attempt.set(n + 1);
    inner.state("reconnecting");
    let wait = reconnect_wait_ms(n, inner.session_refused.get());
    // close() ends the wait at once (its timer cleared), so that Node can exit then, rather
    // than when a backoff of up to 30 s is over.
    let (ticker, stop) = Ticker::new();
    *inner.backoff.borrow_mut() = Some(stop);
    let inner = inner.clone();
    trap::spawn(async move {
        if ticker.tick(wait).await {
            // A connection back after a day needs a younger key than the one it started with
            // (`APPROVAL_REUSE_MS`). If KIS cannot give one now, the old one is tried.
            if let Ok(key) = inner.core.ensure_approval_key().await {
                if let Some(session) = inner.session.borrow().as_ref() {
                    session.set_approval_key(&key);
                }
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
            inner.refuse_if_closed(view)?;
            let key = inner
                .core
                .ensure_approval_key()
                .await
                .map_err(|e| to_js_error(&e))?;
            // Closed while the key was asked for.
            inner.refuse_if_closed(view)?;
            let session = inner
                .session
                .borrow_mut()
                .get_or_insert_with(|| Rc::new(Session::new(&key, inner.core.cfg.cust_type)))
                .clone();
            let frame = session
                .subscribe(&tr_id, &tr_key)
                .map_err(|e| to_js_error(&e))?;
            let id = inner.next_id.get();
            inner.next_id.set(id + 1);
            inner.handlers.borrow_mut().push(Handler {
                view,
                id,
                tr_id: tr_id.clone(),
                tr_key: tr_key.clone(),
                shape,
                callback,
                warned: Cell::new(false),
            });
            let answer = frame.as_ref().map(|_| {
                let (tx, rx) = oneshot::channel();
                inner.pending.borrow_mut().push(Pending {
                    view,
                    tr_id: tr_id.clone(),
                    tr_key: tr_key.clone(),
                    answer: tx,
                });
                rx
            });
            if inner.socket.borrow().is_none() {
                connect(&inner);
            } else if let Some(f) = frame {
                inner.send(&f);
            }
            if let Some(rx) = answer {
                let wait = inner.core.cfg.timeout_ms.unwrap_or(30_000) as f64;
                let said = match select(rx, Box::pin(JsClock.sleep(wait))).await {
                    Either::Left((Ok(said), _)) => said,
                    _ => None,
                };
                if let Some(refusal) = said {
                    inner.handlers.borrow_mut().retain(|h| h.id != id);
                    // KIS holds nothing to unsubscribe; the session forgets it.
                    let _ = session.unsubscribe(&tr_id, &tr_key);
                    return Err(to_js_error(&inner.core.scrub(refusal)));
                }
            }
            let stop_inner = inner.clone();
            // Calling it again does nothing (a `once` closure would throw a plain `Error`).
            let done = Cell::new(false);
            let stop = Closure::<dyn FnMut()>::new(move || {
                // After a panic, the handlers may be borrowed by what panicked.
                if !done.replace(true) && !trap::stopped() {
                    stop_inner.end(id);
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
    v.as_string()
        .ok_or_else(|| KisError::validation(field, "must be a string"))
}

/// A function argument, or a validation error naming it.
fn function(field: &str, v: JsValue) -> Result<Function, KisError> {
    v.dyn_into()
        .map_err(|_| KisError::validation(field, "must be a function"))
}

/// What a subscription of a closed connection fails with.
fn closed_error() -> KisError {
    KisError::new(
        ErrorKind::Validation,
        "the realtime connection was closed (rt.close()); open another with kis.realtime()",
    )
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
            validate_tr_id("trId", &tr_id)?;
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
        let tr = match self.inner.core.cfg.env {
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
        self.inner.on_state.borrow_mut().push((self.view, listener));
        Ok(())
    }

    /// How many subscriptions the connection holds (KIS allows 41).
    #[wasm_bindgen(getter)]
    pub fn subscriptions(&self) -> u32 {
        if trap::stopped() {
            return 0;
        }
        self.inner
            .session
            .borrow()
            .as_ref()
            .map_or(0, |s| s.subscriptions() as u32)
    }

    /// Ends this view's subscriptions, and the connection with the last view; a subscription
    /// of it still waiting for KIS's answer fails. Again, it does nothing.
    pub fn close(&self) {
        // `try_`: once a panic has stopped the package, the cells may be borrowed.
        let left = self.inner.views.try_borrow_mut().ok().map(|mut views| {
            let was = views.len();
            views.retain(|v| *v != self.view);
            (was != views.len(), views.len())
        });
        match left {
            Some((false, _)) => return,
            Some((true, others)) if others > 0 && !trap::stopped() => {
                return self.inner.close_view(self.view)
            }
            _ => {}
        }
        self.inner.closed.set(true);
        if self.inner.counted.replace(false) {
            self.inner.core.shared.realtime_closed();
        }
        self.inner.fail_waiting(|_| true, closed_error);
        // The wait before a reconnect and the watch over silence end with their timers.
        for timer in [&self.inner.backoff, &self.inner.watchdog] {
            if let Some(stop) = timer.try_borrow_mut().ok().and_then(|mut t| t.take()) {
                let _ = stop.send(());
            }
        }
        // `try_`: once a panic has stopped the package, the socket's cell may be borrowed.
        let socket = self
            .inner
            .socket
            .try_borrow_mut()
            .ok()
            .and_then(|mut s| s.take());
        if let Some(socket) = socket {
            close_socket(&socket);
        }
        if !trap::stopped() {
            self.inner.state("closed");
        }
    }
}

/// `kis.realtime({ WebSocket, url })`.
pub fn open(core: Rc<Core>, options: &JsValue) -> Result<KisRealtime, JsValue> {
    let get = |k: &str| Reflect::get(options, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let ctor = match get("WebSocket") {
        f if f.is_function() => f.unchecked_into::<Function>(),
        _ => Reflect::get(&js_sys::global(), &JsValue::from_str("WebSocket"))
            .ok()
            .filter(JsValue::is_function)
            .map(JsCast::unchecked_into)
            .ok_or_else(|| {
                invalid(
                    "options.WebSocket",
                    "is required: this runtime has no global WebSocket (in Node, pass WebSocket from the ws package)",
                )
            })?,
    };
    let url = match get("url").as_string() {
        Some(u) if u.starts_with("ws://") || u.starts_with("wss://") => u,
        Some(u) => {
            return Err(to_js_error(&KisError::validation(
                "options.url",
                format!("must be a ws:// or wss:// URL, got \"{u}\""),
            )))
        }
        None => match crate::env::kis_host_env(&core.cfg.base_url) {
            Some(env) => env.realtime_url().to_string(),
            None => return Err(invalid(
                "options.url",
                "is required when baseUrl is not a KIS host (the proxy's or the mock's ws:// URL)",
            )),
        },
    };
    let silence_ms = match get("silenceMs") {
        v if v.is_undefined() || v.is_null() => silence_ms(None),
        v => match v.as_f64() {
            Some(ms) => silence_ms(Some(ms)),
            None => Err(KisError::validation(
                "options.silenceMs",
                "must be a number of milliseconds",
            )),
        },
    }
    .map_err(|e| to_js_error(&e))?;
    // The client's open connection, if it has one: KIS allows one session an app key.
    let live = CONNECTIONS.with(|all| {
        let mut all = all.borrow_mut();
        all.retain(|c| c.upgrade().is_some_and(|c| !c.closed.get()));
        all.iter()
            .filter_map(std::rc::Weak::upgrade)
            .find(|c| Rc::ptr_eq(&c.core, &core))
    });
    if let Some(inner) = live {
        if inner.url != url {
            return Err(to_js_error(&KisError::validation(
                "options.url",
                format!(
                    "is not this client's open realtime connection ({}), and KIS allows one \
                     session an app key: close() it first, got \"{url}\"",
                    inner.url
                ),
            )));
        }
        let view = inner.next_view.get();
        inner.next_view.set(view + 1);
        inner.views.borrow_mut().push(view);
        return Ok(KisRealtime { inner, view });
    }
    let inner = Rc::new(Inner {
        core,
        ctor,
        url,
        session: RefCell::default(),
        socket: RefCell::default(),
        open: Cell::new(false),
        closed: Cell::new(false),
        attempt: Cell::new(0),
        handlers: RefCell::default(),
        next_id: Cell::new(1),
        on_state: RefCell::default(),
        listener_threw: Cell::new(false),
        said: RefCell::new(String::new()),
        session_refused: Cell::new(false),
        pending: RefCell::default(),
        listeners: RefCell::default(),
        backoff: RefCell::default(),
        silence_ms,
        heard_at: Cell::new(0.0),
        watchdog: RefCell::default(),
        counted: Cell::new(false),
        views: RefCell::new(vec![1]),
        next_view: Cell::new(2),
    });
    CONNECTIONS.with(|all| all.borrow_mut().push(Rc::downgrade(&inner)));
    Ok(KisRealtime { inner, view: 1 })
}
