//! The executor: Rust futures run as tasks, and each wait on JS (a fetch, a timer, the token
//! store) is an io slot that the glue answers through an export. JS keeps each call's
//! `resolve`/`reject` by number; a task ends by calling `settle` with that number.
//!
//! Tasks are polled in order of waking, from a microtask (`kis_run`) or from the export that
//! answered the io they waited on, never from inside a call into the client: a callback that
//! calls the client again (an `onEvent` handler, a logger) is safe.

use crate::prelude::*;

use crate::cell::RefCell;
use core::cell::Cell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use crate::wasm::abi::{self, take};
use crate::wasm::SingleThreaded;

type Job = Pin<Box<dyn Future<Output = ()>>>;

struct Task {
    /// None while the task is being polled, and once it is done.
    job: Option<Job>,
    live: bool,
    queued: bool,
}

/// What JS answered for an io.
pub enum Answer {
    /// An HTTP answer: the status, the header `tr_cont` ("" when absent) and the body.
    Response(u16, String, String),
    /// No answer: whether the timeout aborted it, a message, and the error the glue keeps.
    Failure(bool, String, JsRef),
    /// A timer: true when it ran out, false when its refresher was stopped.
    Flag(bool),
    /// The token store: JSON text, or the message of what it threw.
    Text(Result<String, String>),
}

enum Io {
    Free,
    Waiting(Option<Waker>),
    Done(Answer),
    /// Its future was dropped first; the slot is freed when the answer comes.
    Abandoned,
}

struct Executor {
    tasks: RefCell<Vec<Task>>,
    ready: RefCell<Vec<usize>>,
    ios: RefCell<Vec<Io>>,
    running: Cell<bool>,
    scheduled: Cell<bool>,
}

static EXECUTOR: SingleThreaded<Executor> = SingleThreaded(Executor {
    tasks: RefCell::new(Vec::new()),
    ready: RefCell::new(Vec::new()),
    ios: RefCell::new(Vec::new()),
    running: Cell::new(false),
    scheduled: Cell::new(false),
});

fn exec() -> &'static Executor {
    &EXECUTOR.0
}

/// Runs `fut` to completion in the background.
pub fn spawn(fut: impl Future<Output = ()> + 'static) {
    let job: Job = Box::pin(fut);
    let id = {
        let mut tasks = exec().tasks.borrow_mut();
        let task = Task {
            job: Some(job),
            live: true,
            queued: false,
        };
        put(&mut tasks, task, |t| !t.live)
    };
    wake(id);
}

/// Puts `item` in the first slot `free` accepts, or a new one; returns its index.
///
/// Slots are reached with `get`/`get_mut` throughout, never `[i]`: an index's bounds-check panic
/// formats numbers, which linked core::fmt's integer code into the wasm.
fn put<T>(slots: &mut Vec<T>, item: T, free: impl Fn(&T) -> bool) -> usize {
    for (i, slot) in slots.iter_mut().enumerate() {
        if free(slot) {
            *slot = item;
            return i;
        }
    }
    slots.push(item);
    slots.len() - 1
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
        // SAFETY: a plain import call.
        unsafe { abi::schedule() };
    }
}

#[no_mangle]
pub extern "C" fn kis_run() {
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
                tasks.get_mut(id).and_then(|task| {
                    task.queued = false;
                    task.job.take()
                })
            };
            let Some(mut job) = job else { continue };
            let waker = task_waker(id);
            let done = job
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_ready();
            let mut tasks = ex.tasks.borrow_mut();
            let Some(task) = tasks.get_mut(id) else {
                continue;
            };
            if done {
                task.live = false;
                drop(tasks);
                drop(job);
            } else {
                task.job = Some(job);
            }
        }
    }
    ex.running.set(false);
}

/// JS answered `io`: the waiting task runs now, inside that export.
fn answered(io: u32, answer: Answer) {
    let ex = exec();
    let waker = {
        let mut ios = ex.ios.borrow_mut();
        // Only the glue calls this, with an io it was given; anything else is ignored.
        let Some(slot) = ios.get_mut(io as usize) else {
            return;
        };
        match core::mem::replace(slot, Io::Free) {
            Io::Waiting(w) => {
                *slot = Io::Done(answer);
                w
            }
            // Its future is gone: the slot stays free (and the answer, dropped, lets a held
            // error go).
            Io::Abandoned => None,
            other => {
                *slot = other;
                None
            }
        }
    };
    if let Some(w) = waker {
        // Run here rather than in one more microtask; a microtask already due finds nothing.
        let was = exec().scheduled.replace(true);
        w.wake();
        run();
        exec().scheduled.set(was);
    }
}

/// The answer to `send` `io`: the status, the header `tr_cont` ("" when absent) and the body.
///
/// # Safety
/// `tr_cont_*` and `ptr`, `len`, `cap`: buffers of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_response(
    io: u32,
    status: u32,
    tr_cont_ptr: *mut u8,
    tr_cont_len: usize,
    tr_cont_cap: usize,
    ptr: *mut u8,
    len: usize,
    cap: usize,
) {
    let tr_cont = unsafe { take(tr_cont_ptr, tr_cont_len, tr_cont_cap) };
    let body = unsafe { take(ptr, len, cap) };
    answered(io, Answer::Response(status as u16, tr_cont, body));
}

/// `send` `io` got no answer: whether its timeout aborted it, what went wrong, and the glue's
/// handle of the error (0: none).
///
/// # Safety
/// `ptr`, `len`, `cap`: a buffer of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_failure(
    io: u32,
    timeout: u32,
    ptr: *mut u8,
    len: usize,
    cap: usize,
    handle: u32,
) {
    answered(
        io,
        Answer::Failure(timeout != 0, unsafe { take(ptr, len, cap) }, JsRef(handle)),
    );
}

/// A timer `io` ran out (1), or its refresher was stopped (0).
#[no_mangle]
pub extern "C" fn kis_flag(io: u32, flag: u32) {
    answered(io, Answer::Flag(flag != 0));
}

/// The token store's answer to `io`: JSON text (`ok` 1) or what it threw (`ok` 0).
///
/// # Safety
/// `ptr`, `len`, `cap`: a buffer of the glue, as `abi::take` requires.
#[no_mangle]
pub unsafe extern "C" fn kis_text(io: u32, ok: u32, ptr: *mut u8, len: usize, cap: usize) {
    let text = unsafe { take(ptr, len, cap) };
    answered(io, Answer::Text(if ok != 0 { Ok(text) } else { Err(text) }));
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

/// A wait on JS: take one, hand `id()` to the import that starts the work, then await it.
pub struct IoWait {
    slot: Option<usize>,
}

impl IoWait {
    pub fn new() -> Self {
        let mut ios = exec().ios.borrow_mut();
        let slot = put(&mut ios, Io::Waiting(None), |s| matches!(s, Io::Free));
        IoWait { slot: Some(slot) }
    }

    pub fn id(&self) -> u32 {
        self.slot.map_or(u32::MAX, |s| s as u32)
    }
}

impl Future for IoWait {
    type Output = Answer;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Answer> {
        let Some(slot) = self.slot else {
            return Poll::Pending;
        };
        let mut ios = exec().ios.borrow_mut();
        let Some(io) = ios.get_mut(slot) else {
            return Poll::Pending;
        };
        if let Io::Waiting(waker) = io {
            *waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        match core::mem::replace(io, Io::Free) {
            Io::Done(answer) => {
                self.slot = None;
                Poll::Ready(answer)
            }
            other => {
                *io = other;
                Poll::Pending
            }
        }
    }
}

impl Drop for IoWait {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            if let Some(io) = exec().ios.borrow_mut().get_mut(slot) {
                *io = match io {
                    Io::Done(_) => Io::Free,
                    _ => Io::Abandoned,
                };
            }
        }
    }
}

/// A JS object kept by the glue for Rust (0: none); the glue forgets it when this is dropped.
pub struct JsRef(pub u32);

impl Drop for JsRef {
    fn drop(&mut self) {
        if self.0 != 0 {
            // SAFETY: a plain import call.
            unsafe { abi::drop_ref(self.0) }
        }
    }
}
