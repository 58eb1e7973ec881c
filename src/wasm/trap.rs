//! What a panic leaves behind. The release build aborts on a panic, and an abort traps the
//! wasm: whatever the panicking code held (a borrowed cell, a limiter half updated, an order
//! between its request and its answer) stays that way, and wasm-bindgen has no way to unwind
//! it. A panic is a bug of this crate, but it must not leave a trader's order pending forever,
//! nor let a half-updated client send anything more. So the panic hook, which runs just before
//! the trap, stops the package for good:
//! - every call in flight is rejected: an order (a cancel, a POST) as `orderStatusUnknown`,
//!   since it may have reached KIS; anything else as `decode`, as the old glue did;
//! - every later call is refused with the same error, and no future of the package is polled
//!   again, so nothing more reaches the caller's fetch or the realtime socket;
//! - the panic itself comes out of the wasm as that `KisError` rather than as a bare
//!   `RuntimeError: unreachable`, naming where it happened (never the panic's message, which
//!   may quote an answer).

use std::cell::{Cell, OnceCell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;

use crate::error::{ErrorKind, KisError};
use crate::wasm::errors::to_js_error;

/// A call whose promise the hook must still be able to settle.
struct InFlight {
    id: u32,
    reject: Function,
    order: bool,
}

thread_local! {
    /// Why the package stopped; set once, by the hook.
    static STOPPED: OnceCell<String> = const { OnceCell::new() };
    static IN_FLIGHT: RefCell<Vec<InFlight>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", short(l.file()), l.line()))
            .unwrap_or_default();
        let why = format!(
            "kis-wasm stopped after an internal error{at} (a bug of kis-wasm: please report it); \
             every call is refused from now on: restart the process or reload the page"
        );
        STOPPED.with(|s| {
            let _ = s.set(why);
        });
        // `try_`: the panic may have come from inside the registry itself.
        let calls = IN_FLIGHT
            .with(|c| c.try_borrow_mut().map(|mut c| std::mem::take(&mut *c)))
            .unwrap_or_default();
        for call in calls {
            let _ = call
                .reject
                .call1(&JsValue::UNDEFINED, &stopped_error(call.order));
        }
        // Thrown rather than returned to the abort: a JS exception leaves the wasm as a trap
        // would, without running anything more of it, but as an error that says what happened.
        wasm_bindgen::throw_val(stopped_error(false));
    }));
}

/// A dependency's source path from its crate on (`serde_json-1.0.145/src/de.rs`), without the
/// build machine's cargo home; the crate's own paths are relative already.
fn short(file: &str) -> &str {
    file.split_once("/registry/src/")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map_or(file, |(_, path)| path)
}

/// Whether a panic has stopped the package.
pub fn stopped() -> bool {
    STOPPED.with(|s| s.get().is_some())
}

/// The error every call fails with once the package has stopped; `order` for one that may have
/// reached KIS.
pub fn stopped_error(order: bool) -> JsValue {
    let why = STOPPED.with(|s| s.get().cloned()).unwrap_or_default();
    let error = if order {
        KisError::new(
            ErrorKind::OrderStatusUnknown,
            format!(
                "{why}. The order may have reached KIS: check today's orders (getOrders() for \
                 buy, sell, cancel and modify, the market's list for an order through call() \
                 or request(), or KIS's app) before placing it again"
            ),
        )
    } else {
        KisError::new(ErrorKind::Decode, why)
    };
    to_js_error(&error)
}

/// Refuses a synchronous method once the package has stopped.
pub fn refuse_if_stopped() -> Result<(), JsValue> {
    if stopped() {
        Err(stopped_error(false))
    } else {
        Ok(())
    }
}

/// Polls `work` until the package stops, then never again: its state may be what the panic
/// left half done. It is forgotten rather than dropped, since dropping runs its destructors.
async fn halting<T>(work: Pin<Box<dyn Future<Output = T>>>) -> Option<T> {
    let mut work = Some(work);
    std::future::poll_fn(move |cx| {
        if stopped() {
            std::mem::forget(work.take());
            return Poll::Ready(None);
        }
        match work.as_mut() {
            Some(w) => w.as_mut().poll(cx).map(Some),
            None => Poll::Ready(None),
        }
    })
    .await
}

/// `spawn_local`, for work no promise waits on (the token refresher, a reconnect).
pub fn spawn(work: impl Future<Output = ()> + 'static) {
    spawn_local(async move {
        halting(Box::pin(work)).await;
    });
}

type Work = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// `work` as a promise that settles whatever happens: with its result, or, if the package
/// stops first, with the stopped error (`order`: the call may reach KIS with an order).
pub fn promise(order: bool, work: Work) -> Promise {
    if stopped() {
        return Promise::reject(&stopped_error(order));
    }
    let mut work = Some(work);
    Promise::new(&mut |resolve, reject| {
        let Some(work) = work.take() else { return };
        let id = NEXT_ID.with(|n| n.replace(n.get().wrapping_add(1)));
        IN_FLIGHT.with(|c| {
            c.borrow_mut().push(InFlight {
                id,
                reject: reject.clone(),
                order,
            })
        });
        spawn_local(async move {
            let settled = halting(work).await;
            IN_FLIGHT.with(|c| c.borrow_mut().retain(|call| call.id != id));
            let _ = match settled {
                Some(Ok(v)) => resolve.call1(&JsValue::UNDEFINED, &v),
                Some(Err(e)) => reject.call1(&JsValue::UNDEFINED, &e),
                // Rejected by the hook already, unless the registry was what panicked.
                None => reject.call1(&JsValue::UNDEFINED, &stopped_error(order)),
            };
        });
    })
}
