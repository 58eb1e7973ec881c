//! Rust futures run as JS promises, and JS promises awaited from Rust: the part of
//! wasm-bindgen-futures this client needs. There, each await of a JS promise made two
//! wasm-bindgen closures, each registered with a FinalizationRegistry, and its queue, task and
//! JSPI support were 2.3 KB of the wasm's code. Here JS keeps a call's `resolve`/`reject` in a
//! table by number, and calls two exports of the wasm instance (`__kisWake`, `__kisRun`) to bring
//! answers and wake-ups back, so the module needs no wasm-bindgen closure at all: −1.2 KB gzip
//! all told, and some 10 % off a call's own time. The exports are reached through the instance
//! (`wasm_bindgen::exports()`), which works in the package and in wasm-bindgen's test runner
//! alike; the package's entries do not re-export them.
//!
//! Tasks are polled in order of waking, from a microtask or from the callback of the JS promise
//! they waited on, never from inside a call into the client: the same points
//! wasm-bindgen-futures polled from.

use crate::prelude::*;

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::wasm::SingleThreaded;

#[wasm_bindgen(inline_js = r#"
let kisExports;
const kisCalls = new Map();
export function kisInit(exports) {
  kisExports = exports;
}
export function kisPromise(id) {
  return new Promise((resolve, reject) => kisCalls.set(id, [resolve, reject]));
}
export function kisSettle(id, ok, value) {
  const call = kisCalls.get(id);
  kisCalls.delete(id);
  call[ok ? 0 : 1](value);
}
export function kisWatch(value, slot) {
  Promise.resolve(value).then((v) => kisExports.__kisWake(slot, 1, v), (e) => kisExports.__kisWake(slot, 0, e));
}
export function kisSchedule() {
  Promise.resolve().then(() => kisExports.__kisRun());
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = kisInit)]
    fn kis_init(exports: &JsValue);
    #[wasm_bindgen(js_name = kisPromise)]
    fn kis_promise(id: u32) -> Promise;
    #[wasm_bindgen(js_name = kisSettle)]
    fn kis_settle(id: u32, ok: bool, value: &JsValue);
    #[wasm_bindgen(js_name = kisWatch)]
    fn kis_watch(value: &JsValue, slot: u32);
    #[wasm_bindgen(js_name = kisSchedule)]
    fn kis_schedule();
}

type Job = Pin<Box<dyn Future<Output = ()>>>;

struct Task {
    /// None while the task is being polled, and once it is done.
    job: Option<Job>,
    live: bool,
    queued: bool,
}

enum Wait {
    Free,
    Pending(Waker),
    Settled(Result<JsValue, JsValue>),
    /// Its future was dropped first; the slot is freed when the promise settles.
    Abandoned,
}

struct Executor {
    tasks: RefCell<Vec<Task>>,
    ready: RefCell<Vec<usize>>,
    waits: RefCell<Vec<Wait>>,
    running: Cell<bool>,
    scheduled: Cell<bool>,
    started: Cell<bool>,
    next_call: Cell<u32>,
}

static EXECUTOR: SingleThreaded<Executor> = SingleThreaded(Executor {
    tasks: RefCell::new(Vec::new()),
    ready: RefCell::new(Vec::new()),
    waits: RefCell::new(Vec::new()),
    running: Cell::new(false),
    scheduled: Cell::new(false),
    started: Cell::new(false),
    next_call: Cell::new(0),
});

fn exec() -> &'static Executor {
    &EXECUTOR.0
}

/// Runs `fut` to completion in the background.
pub fn spawn(fut: impl Future<Output = ()> + 'static) {
    let ex = exec();
    if !ex.started.replace(true) {
        kis_init(&wasm_bindgen::exports());
    }
    let job: Job = Box::pin(fut);
    let id = {
        let mut tasks = ex.tasks.borrow_mut();
        let task = Task {
            job: Some(job),
            live: true,
            queued: false,
        };
        put(&mut tasks, task, |t| !t.live)
    };
    wake(id);
}

/// A JS promise settled with `fut`'s result.
pub fn promise(fut: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    let ex = exec();
    let id = ex.next_call.get();
    ex.next_call.set(id.wrapping_add(1));
    let p = kis_promise(id);
    spawn(async move {
        let (ok, value) = match fut.await {
            Ok(v) => (true, v),
            Err(e) => (false, e),
        };
        kis_settle(id, ok, &value);
    });
    p
}

/// Puts `item` in the first slot `free` accepts, or a new one; returns its index.
fn put<T>(slots: &mut Vec<T>, item: T, free: impl Fn(&T) -> bool) -> usize {
    match slots.iter().position(free) {
        Some(i) => {
            slots[i] = item;
            i
        }
        None => {
            slots.push(item);
            slots.len() - 1
        }
    }
}

fn wake(id: usize) {
    let ex = exec();
    {
        let mut tasks = ex.tasks.borrow_mut();
        match tasks.get_mut(id) {
            Some(t) if t.live && !t.queued => t.queued = true,
            _ => return,
        }
    }
    ex.ready.borrow_mut().push(id);
    if !ex.running.get() && !ex.scheduled.replace(true) {
        kis_schedule();
    }
}

#[doc(hidden)]
#[wasm_bindgen(js_name = __kisWake, skip_typescript)]
pub fn wake_export(slot: u32, ok: bool, value: JsValue) {
    settled(slot as usize, if ok { Ok(value) } else { Err(value) });
}

#[doc(hidden)]
#[wasm_bindgen(js_name = __kisRun, skip_typescript)]
pub fn run_export() {
    exec().scheduled.set(false);
    run();
}

/// Polls every woken task until none is left.
fn run() {
    let ex = exec();
    if ex.running.replace(true) {
        return;
    }
    loop {
        let batch = core::mem::take(&mut *ex.ready.borrow_mut());
        if batch.is_empty() {
            break;
        }
        for id in batch {
            let job = {
                let mut tasks = ex.tasks.borrow_mut();
                let task = &mut tasks[id];
                task.queued = false;
                task.job.take()
            };
            let Some(mut job) = job else { continue };
            let waker = task_waker(id);
            let done = job
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready();
            let mut tasks = ex.tasks.borrow_mut();
            if done {
                tasks[id].live = false;
                drop(tasks);
                drop(job);
            } else {
                tasks[id].job = Some(job);
            }
        }
    }
    ex.running.set(false);
}

/// JS settled the promise watched in `slot`: the waiting task runs now, inside that callback.
fn settled(slot: usize, result: Result<JsValue, JsValue>) {
    let ex = exec();
    let waker = {
        let mut waits = ex.waits.borrow_mut();
        // Only kisWatch calls this, with its own slot; anything else is ignored, not a trap.
        let Some(wait) = waits.get_mut(slot) else {
            return;
        };
        match core::mem::replace(wait, Wait::Free) {
            Wait::Pending(w) => {
                *wait = Wait::Settled(result);
                Some(w)
            }
            // Its future is gone: the slot stays free.
            Wait::Abandoned => None,
            other => {
                *wait = other;
                None
            }
        }
    };
    if let Some(w) = waker {
        // Run here rather than in one more microtask; a microtask already due finds nothing.
        let was = ex.scheduled.replace(true);
        w.wake();
        run();
        ex.scheduled.set(was);
    }
}

// The data pointer of a waker is its task's index: the executor is a static, so a waker owns
// nothing. A waker kept past its task may wake a later task in the same slot; futures allow
// such spurious polls.
const VTABLE: RawWakerVTable = RawWakerVTable::new(clone_waker, wake_waker, wake_waker, drop_waker);

fn clone_waker(data: *const ()) -> RawWaker {
    RawWaker::new(data, &VTABLE)
}

fn wake_waker(data: *const ()) {
    wake(data as usize);
}

fn drop_waker(_: *const ()) {}

fn task_waker(id: usize) -> Waker {
    // SAFETY: the vtable's functions only read the pointer as a number and own nothing.
    unsafe { Waker::from_raw(RawWaker::new(id as *const (), &VTABLE)) }
}

/// A JS value awaited from Rust: a promise settles it, anything else is its own result.
pub struct JsAwait {
    value: Option<JsValue>,
    slot: Option<usize>,
}

impl JsAwait {
    pub fn new(value: JsValue) -> Self {
        JsAwait {
            value: Some(value),
            slot: None,
        }
    }
}

impl Future for JsAwait {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut waits = exec().waits.borrow_mut();
        if let Some(value) = self.value.take() {
            let pending = Wait::Pending(cx.waker().clone());
            let slot = put(&mut waits, pending, |w| matches!(w, Wait::Free));
            drop(waits);
            kis_watch(&value, slot as u32);
            self.slot = Some(slot);
            return Poll::Pending;
        }
        let Some(slot) = self.slot else {
            return Poll::Pending;
        };
        let wait = &mut waits[slot];
        if let Wait::Pending(waker) = wait {
            waker.clone_from(cx.waker());
            return Poll::Pending;
        }
        match core::mem::replace(wait, Wait::Free) {
            Wait::Settled(result) => {
                self.slot = None;
                Poll::Ready(result)
            }
            other => {
                *wait = other;
                Poll::Pending
            }
        }
    }
}

impl Drop for JsAwait {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            let mut waits = exec().waits.borrow_mut();
            waits[slot] = match waits[slot] {
                Wait::Settled(_) => Wait::Free,
                _ => Wait::Abandoned,
            };
        }
    }
}
