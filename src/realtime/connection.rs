//! One realtime connection's bookkeeping, without a socket or a timer: its views (each
//! `kis.realtime()` of a client is one), their subscribers and state listeners, the
//! subscriptions waiting for KIS's answer, which subscriber each record goes to, the state said
//! last, and how long the next reconnect waits. The binding owns the socket, the timers and the
//! JS values, and reaches them through `Host`; `cargo test` drives this with a fake one.
//!
//! Nothing here is borrowed while a host's method runs: a subscriber's callback may end its
//! subscription (or another), start one, or close the connection.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::oneshot;

use crate::env::CustType;
use crate::error::{ErrorKind, KisError, Result};
use crate::realtime::backoff::reconnect_wait_ms;
use crate::realtime::liveness::is_dead;
use crate::realtime::routing::{Route, Routing};
use crate::realtime::session::{Incoming, Session};
use crate::realtime::shapes::{Shape, Shaped};

/// What the connection needs of its surroundings: the socket to send on, the log, and the
/// caller's functions.
pub trait Host {
    /// A subscriber's callback.
    type Callback: Clone;
    /// A state listener.
    type Listener: Clone;
    /// A record in a subscriber's shape, as the callback takes it.
    type Value: Clone;
    /// Sends `text` on the open socket.
    fn send(&self, text: &str);
    fn warn(&self, message: &str);
    /// A KIS error with the client's secrets masked.
    fn scrub(&self, e: KisError) -> KisError;
    fn value(&self, shaped: &Shaped) -> Self::Value;
    /// Calls a subscriber; `Err` says what it threw.
    fn call(
        &self,
        callback: &Self::Callback,
        value: &Self::Value,
    ) -> std::result::Result<(), String>;
    /// Tells a state listener; `Err` says what it threw.
    fn tell(&self, listener: &Self::Listener, state: &str) -> std::result::Result<(), String>;
}

/// A new subscription waiting for KIS's answer: its view, TR and key, and where to say the
/// answer (its refusal, if any).
struct Pending {
    view: u32,
    tr_id: String,
    tr_key: String,
    answer: oneshot::Sender<Option<KisError>>,
}

/// A subscriber: its view, its number, its TR and key, the shape it asked for and its callback.
struct Handler<C> {
    view: u32,
    id: u32,
    tr_id: String,
    tr_key: String,
    shape: Shape,
    callback: C,
    /// Whether its callback's throwing has been logged: once, not on every record.
    warned: Cell<bool>,
}

/// A subscription just made: its number (to end it by), the frame to send (None when KIS has
/// it already, for another subscriber), and where KIS's answer to that frame will come.
pub struct Subscribed {
    pub id: u32,
    pub frame: Option<String>,
    pub answer: Option<oneshot::Receiver<Option<KisError>>>,
}

pub struct Connection<H: Host> {
    pub host: H,
    cust: CustType,
    session: RefCell<Option<Rc<Session>>>,
    open: Cell<bool>,
    /// A socket is opening: it is watched as an open one is, from when it was made, so that one
    /// whose upgrade is never answered is given up (a browser's or `ws`'s may wait for good).
    opening: Cell<bool>,
    closed: Cell<bool>,
    /// Reconnects since the connection last worked.
    attempt: Cell<u32>,
    handlers: RefCell<Vec<Handler<H::Callback>>>,
    next_id: Cell<u32>,
    /// State listeners, each with its view.
    listeners: RefCell<Vec<(u32, H::Listener)>>,
    /// Whether a state listener has thrown (and been logged) already.
    listener_threw: Cell<bool>,
    /// The views still open; the connection closes with the last.
    views: RefCell<Vec<u32>>,
    next_view: Cell<u32>,
    /// The state said last: each is said once, where a reconnect's wait and its attempt would
    /// both say "reconnecting".
    said: RefCell<String>,
    /// Whether KIS refused the session since the connection last worked: the refusal is logged
    /// once, not on every reconnect it refuses, and reconnects wait longer.
    session_refused: Cell<bool>,
    pending: RefCell<Vec<Pending>>,
    /// Which subscribers each record goes to (`realtime::routing`).
    routing: RefCell<Routing>,
    /// `options.silenceMs` (`realtime::liveness`), and when the socket last heard anything.
    pub silence_ms: f64,
    heard_at: Cell<f64>,
}

/// What `leave` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    /// The view had left already: nothing to do.
    Before,
    /// Other views go on: only this one's part ends (`end_view`).
    Others,
    /// It was the last: the whole connection closes.
    Last,
}

/// What a subscription of a closed connection fails with.
pub fn closed_error() -> KisError {
    KisError::new(
        ErrorKind::Validation,
        "the realtime connection was closed (rt.close()); open another with kis.realtime()",
    )
}

impl<H: Host> Connection<H> {
    /// A connection with its first view, 1; nothing is sent until the first subscription.
    pub fn new(host: H, cust: CustType, silence_ms: f64) -> Connection<H> {
        Connection {
            host,
            cust,
            session: RefCell::default(),
            open: Cell::new(false),
            opening: Cell::new(false),
            closed: Cell::new(false),
            attempt: Cell::new(0),
            handlers: RefCell::default(),
            next_id: Cell::new(1),
            listeners: RefCell::default(),
            listener_threw: Cell::new(false),
            views: RefCell::new(vec![1]),
            next_view: Cell::new(2),
            said: RefCell::default(),
            session_refused: Cell::new(false),
            pending: RefCell::default(),
            routing: RefCell::default(),
            silence_ms,
            heard_at: Cell::new(0.0),
        }
    }

    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// How many subscriptions KIS holds for the connection (it allows 41).
    pub fn subscriptions(&self) -> usize {
        self.session
            .borrow()
            .as_ref()
            .map_or(0, |s| s.subscriptions())
    }

    /// Another view of the connection, for a second `kis.realtime()` while it is open.
    pub fn add_view(&self) -> u32 {
        let view = self.next_view.get();
        self.next_view.set(view + 1);
        self.views.borrow_mut().push(view);
        view
    }

    pub fn on_state(&self, view: u32, listener: H::Listener) {
        self.listeners.borrow_mut().push((view, listener));
    }

    /// Says `state` to every listener, unless it was said last.
    pub fn state(&self, state: &str) {
        if self.said.replace(state.to_string()) != state {
            self.tell(|_| true, state);
        }
    }

    /// Tells the state listeners of the views `which` picks.
    fn tell(&self, which: impl Fn(u32) -> bool, state: &str) {
        // Copied out first: a listener may add another, or close the connection.
        let listeners: Vec<H::Listener> = self
            .listeners
            .borrow()
            .iter()
            .filter(|(v, _)| which(*v))
            .map(|(_, l)| l.clone())
            .collect();
        for l in listeners {
            // A throwing state listener must not stop the others or the socket; it is logged,
            // once a connection, as a callback's throw is.
            if let Err(e) = self.host.tell(&l, state) {
                if !self.listener_threw.replace(true) {
                    self.host.warn(&format!(
                        "KIS realtime: a state listener threw ({e}); the connection goes on, \
                         and later throws are not logged"
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

    /// Sends `text` when the socket is open; otherwise it goes with every subscription when
    /// the socket opens.
    fn send(&self, text: &str) {
        if self.open.get() {
            self.host.send(text);
        }
    }

    /// A subscription asked of a view the caller closed fails rather than waiting for an
    /// answer that cannot come (and then resolving as though KIS had taken it).
    pub fn refuse_if_closed(&self, view: u32) -> Result<()> {
        if self.closed.get() || !self.views.borrow().contains(&view) {
            return Err(closed_error());
        }
        Ok(())
    }

    /// Subscribes `callback` of `view` to `tr_id` for `tr_key`, in `shape`: an error past KIS's
    /// 41, before anything is sent. The frame is sent when the socket is open; the caller
    /// connects when there is none.
    pub fn subscribe(
        &self,
        view: u32,
        approval_key: &str,
        (tr_id, tr_key): (&str, &str),
        shape: Shape,
        callback: H::Callback,
    ) -> Result<Subscribed> {
        let session = self
            .session
            .borrow_mut()
            .get_or_insert_with(|| Rc::new(Session::new(approval_key, self.cust)))
            .clone();
        let frame = session.subscribe(tr_id, tr_key)?;
        self.routing.borrow_mut().follow(tr_id, tr_key);
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        self.handlers.borrow_mut().push(Handler {
            view,
            id,
            tr_id: tr_id.to_string(),
            tr_key: tr_key.to_string(),
            shape,
            callback,
            warned: Cell::new(false),
        });
        let answer = frame.as_ref().map(|_| {
            let (tx, rx) = oneshot::channel();
            self.pending.borrow_mut().push(Pending {
                view,
                tr_id: tr_id.to_string(),
                tr_key: tr_key.to_string(),
                answer: tx,
            });
            rx
        });
        if let Some(f) = &frame {
            self.send(f);
        }
        Ok(Subscribed { id, frame, answer })
    }

    /// KIS's answer to subscription `id`, or None when it said nothing in time (the
    /// subscription stays, and is sent again with every reconnect). A refusal ends it, and is
    /// its subscriber's error.
    pub fn answered(&self, id: u32, refusal: Option<KisError>) -> Result<()> {
        let Some(refusal) = refusal else {
            return Ok(());
        };
        let ended = {
            let mut handlers = self.handlers.borrow_mut();
            let at = handlers.iter().position(|h| h.id == id);
            at.map(|at| handlers.remove(at))
        };
        if let (Some(h), Some(session)) = (ended, self.session.borrow().as_ref()) {
            // KIS holds nothing to unsubscribe; the session forgets it.
            let _ = session.unsubscribe(&h.tr_id, &h.tr_key);
        }
        Err(self.host.scrub(refusal))
    }

    /// Ends subscription `id` (again, nothing), and KIS's subscription to its TR and key when
    /// no other subscriber has it.
    pub fn end(&self, id: u32) {
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

    /// `view` closed by its caller: whether it was open, and whether others are.
    pub fn leave(&self, view: u32) -> Leaving {
        // `try_`: once a panic has stopped the package, the cells may be borrowed; the whole
        // connection then ends.
        let Ok(mut views) = self.views.try_borrow_mut() else {
            return Leaving::Last;
        };
        let was = views.len();
        views.retain(|v| *v != view);
        match views.len() {
            n if n == was => Leaving::Before,
            0 => Leaving::Last,
            _ => Leaving::Others,
        }
    }

    /// Ends the part of `view`, which left while others go on: its subscriptions (and KIS's
    /// to what no other view has), its waiting subscriptions (which fail) and its state
    /// listeners (told "closed").
    pub fn end_view(&self, view: u32) {
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
        self.listeners.borrow_mut().retain(|(v, _)| *v != view);
    }

    /// The whole connection closed: what waits for KIS's answer fails, and no reconnect comes.
    pub fn close(&self) {
        self.closed.set(true);
        self.open.set(false);
        self.opening.set(false);
        self.fail_waiting(|_| true, closed_error);
    }

    /// A socket is being opened at `now`: "connecting" the first time, "reconnecting" after.
    pub fn connecting(&self, now: f64) {
        self.opening.set(true);
        self.heard_at.set(now);
        self.state(if self.attempt.get() == 0 {
            "connecting"
        } else {
            "reconnecting"
        });
    }

    /// The socket opened at `now`: every subscription is sent, again after a reconnect.
    pub fn opened(&self, now: f64) {
        self.opening.set(false);
        self.open.set(true);
        self.heard_at.set(now);
        self.state("open");
        let frames = self
            .session
            .borrow()
            .as_ref()
            .map(|s| s.on_open())
            .unwrap_or_default();
        for f in frames {
            self.send(&f);
        }
    }

    /// The socket closed, or was taken for dead. True when a reconnect should follow: the
    /// caller did not close it.
    pub fn dropped(&self) -> bool {
        self.open.set(false);
        self.opening.set(false);
        !self.closed.get()
    }

    /// How long to wait before the next reconnect (`realtime::backoff`), said "reconnecting".
    pub fn reconnect_wait(&self) -> f64 {
        let n = self.attempt.get();
        self.attempt.set(n + 1);
        self.state("reconnecting");
        reconnect_wait_ms(n, self.session_refused.get())
    }

    /// Whether the socket, open or opening, has heard nothing for `silence_ms` at `now`.
    pub fn is_silent(&self, now: f64) -> bool {
        (self.open.get() || self.opening.get())
            && is_dead(now, self.heard_at.get(), self.silence_ms)
    }

    /// Whether the socket has yet to open.
    pub fn is_opening(&self) -> bool {
        self.opening.get()
    }

    /// Takes the approval key of the requests from now on (a reconnect a day later needs a
    /// younger one).
    pub fn set_approval_key(&self, key: &str) {
        if let Some(session) = self.session.borrow().as_ref() {
            session.set_approval_key(key);
        }
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
            self.host.warn(&format!(
                "KIS realtime: {}; the subscriptions are asked again with each reconnect",
                e.message
            ));
        }
    }

    /// A callback's throw is the caller's bug, which would otherwise go unseen: it is logged,
    /// once a subscription, and the callback still gets every record.
    fn callback_threw(&self, id: u32, e: &str) {
        let first = self
            .handlers
            .borrow()
            .iter()
            .find(|h| h.id == id && !h.warned.replace(true))
            .map(|h| format!("{} {}", h.tr_id, h.tr_key));
        if let Some(what) = first {
            self.host.warn(&format!(
                "KIS realtime: the callback of {what} threw ({e}); it still gets every record, \
                 and its later throws are not logged"
            ));
        }
    }

    /// The socket heard something at `now` (a frame of any kind: a sign of life).
    pub fn heard(&self, now: f64) {
        self.heard_at.set(now);
    }

    /// A text frame from the socket.
    pub fn on_message(&self, raw: &str) {
        let Some(session) = self.session.borrow().clone() else {
            return;
        };
        match session.on_message(raw) {
            Incoming::Reply(text) => self.send(&text),
            Incoming::Records(records) => {
                self.stable();
                let mut calls: Vec<(u32, H::Callback, H::Value)> = Vec::new();
                let mut warnings = Vec::new();
                let handlers = self.handlers.borrow();
                let tr_id = &records.tr_id;
                for record in records.each() {
                    let key = record.key();
                    let of_tr = || handlers.iter().filter(|h| &h.tr_id == tr_id);
                    let subscribed = of_tr().any(|h| h.tr_key == key);
                    let keyed = match self.routing.borrow_mut().route(tr_id, key, subscribed) {
                        Route::Keyed => true,
                        Route::Every => false,
                        Route::Drop { say } => {
                            warnings.extend(say);
                            continue;
                        }
                    };
                    // Each shape is made once per record, however many subscribers share it.
                    let mut made: Vec<(Shape, H::Value)> = Vec::new();
                    for h in of_tr().filter(|h| !keyed || h.tr_key == key) {
                        let value = match made.iter().find(|(s, _)| *s == h.shape) {
                            Some((_, v)) => v.clone(),
                            None => {
                                let v = self.host.value(&h.shape.apply(&record));
                                made.push((h.shape, v.clone()));
                                v
                            }
                        };
                        calls.push((h.id, h.callback.clone(), value));
                    }
                }
                drop(handlers);
                for w in warnings {
                    self.host.warn(&format!("KIS realtime: {w}"));
                }
                for (id, callback, value) in calls {
                    // Skipped when a callback before it, in this frame, ended its subscription.
                    if self.handlers.borrow().iter().any(|h| h.id == id) {
                        if let Err(e) = self.host.call(&callback, &value) {
                            self.callback_threw(id, &e);
                        }
                    }
                }
            }
            Incoming::Answer(a) if a.of_session() => {
                if let Some(e) = a.refusal() {
                    self.refused(self.host.scrub(e));
                }
            }
            // The answer to an unsubscribe (`UNSUBSCRIBE SUCCESS`, or its failure: KIS's own
            // client tells them by "UNSUB"): no subscription waits for it, and taken for the
            // answer to one of the same TR and key asked since (a "live" toggled off and on, a
            // component mounted twice) it would resolve or refuse that one before KIS had said.
            Incoming::Answer(a) if a.of_unsubscribe() => {}
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
                    // The subscriber's promise says it; one that stopped waiting at timeoutMs
                    // (resolved, the subscription left in place) is past hearing, so it is
                    // logged, as a refusal of a restored one is.
                    (Some(tx), refusal) => {
                        if let Err(Some(e)) = tx.send(refusal) {
                            self.host.warn(&e.message);
                        }
                    }
                    // A subscription restored after a reconnect, refused: no promise waits.
                    (None, Some(e)) => self.host.warn(&e.message),
                    (None, None) => {}
                }
            }
            Incoming::Unreadable(why) => self.host.warn(&format!("KIS realtime: {why}")),
        }
    }
}
