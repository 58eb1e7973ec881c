//! B4: a sliding-window limiter shared by every call of a client, and by the clients of one app
//! key in a process (`engine::shared`). No one-second window at KIS ever holds more than N
//! calls, which a token bucket with a burst of N cannot promise.
//!
//! The window is measured against answers, not sends: call k may leave only a window after call
//! k−N was *answered*. KIS saw call k−N at some moment before its answer and sees call k after we
//! send it, so the gap at KIS is at least the window whatever the latency in between. (Measured
//! from sends, a browser's CORS preflight delays the first calls and lets later ones bunch up at
//! the gateway: seen as EGW00201 in the dashboard tests.) Callers take tickets synchronously, in
//! call order, and leave in queue order: FIFO, but for writes (orders, their changes and their
//! hashkeys), which take their place ahead of the reads still waiting, in their own FIFO: a sell
//! does not wait behind a dashboard's fifty quotes. Reordering what has not left keeps the
//! window, since every call still waits for the one N places before it in the order they leave.

use std::cell::Cell;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Spacing for timer rounding; latency is already covered by counting from answers.
pub const MARGIN_MS: f64 = 5.0;
const WINDOW_MS: f64 = 1000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gate {
    Go,
    /// The earliest time this ticket may leave.
    WaitUntil(f64),
    /// An earlier call has to leave or be answered first.
    WaitForChange,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    ticket: u64,
    /// A write: queued ahead of the reads that have not left.
    write: bool,
    sent: Option<f64>,
    done: Option<f64>,
}

#[derive(Default)]
struct State {
    next: u64,
    /// The calls in the order they leave: the last window's, then the waiting ones. Answered
    /// ones leave from the front.
    slots: VecDeque<Slot>,
}

impl State {
    fn position(&self, ticket: u64) -> Option<usize> {
        self.slots.iter().position(|x| x.ticket == ticket)
    }
}

pub struct RateLimiter {
    /// Lowered, never raised, as stricter clients join (`engine::shared`).
    per_sec: Cell<u64>,
    state: RefCell<State>,
    changes: Cell<u64>,
    wakers: RefCell<Vec<Waker>>,
}

impl RateLimiter {
    pub fn new(per_sec: u32) -> Self {
        RateLimiter {
            per_sec: Cell::new(u64::from(per_sec)),
            state: RefCell::new(State::default()),
            changes: Cell::new(0),
            wakers: RefCell::new(Vec::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.per_sec.get() > 0
    }

    /// Takes on a client's limit when it is stricter; 0 (no limit) changes nothing.
    pub fn tighten(&self, per_sec: u32) {
        let n = u64::from(per_sec);
        if n > 0 && (n < self.per_sec.get() || !self.enabled()) {
            self.per_sec.set(n);
        }
    }

    /// A place in the queue, taken synchronously so that call order is admission order; a
    /// write's is ahead of every read that has not left.
    pub fn ticket(&self, write: bool) -> u64 {
        if !self.enabled() {
            return 0;
        }
        let mut s = self.state.borrow_mut();
        let ticket = s.next;
        s.next += 1;
        let slot = Slot {
            ticket,
            write,
            sent: None,
            done: None,
        };
        let at = if write {
            s.slots.iter().position(|x| !x.write && x.sent.is_none())
        } else {
            None
        };
        match at {
            Some(i) => s.slots.insert(i, slot),
            None => s.slots.push_back(slot),
        }
        ticket
    }

    pub fn check(&self, ticket: u64, now: f64) -> Gate {
        if !self.enabled() {
            return Gate::Go;
        }
        let mut s = self.state.borrow_mut();
        // A time past `now` means the clock was set back (a correction, a user's change): it is
        // taken as now, which the real moment it stands for cannot be after. A wait is then
        // never longer than a window, where it would have lasted as long as the clock's jump.
        for slot in &mut s.slots {
            for t in [&mut slot.sent, &mut slot.done].into_iter().flatten() {
                *t = t.min(now);
            }
        }
        let Some(i) = s.position(ticket) else {
            return Gate::Go;
        };
        if i > 0 && s.slots[i - 1].sent.is_none() {
            return Gate::WaitForChange;
        }
        // Fewer than N before it: none it must wait for (what left the queue was answered
        // long ago).
        let Some(k) = i.checked_sub(self.per_sec.get() as usize) else {
            return Gate::Go;
        };
        match s.slots[k] {
            Slot { done: Some(d), .. } => {
                let at = d + WINDOW_MS + MARGIN_MS;
                if now >= at {
                    Gate::Go
                } else {
                    Gate::WaitUntil(at)
                }
            }
            _ => Gate::WaitForChange,
        }
    }

    /// A lower bound of how long `ticket` will wait, for the event a caller reports.
    pub fn estimate(&self, ticket: u64, now: f64) -> f64 {
        let s = self.state.borrow();
        let older = s
            .position(ticket)
            .and_then(|i| i.checked_sub(self.per_sec.get() as usize))
            .map(|k| s.slots[k]);
        match older {
            Some(Slot { done: Some(d), .. })
            | Some(Slot {
                sent: Some(d),
                done: None,
                ..
            }) => (d + WINDOW_MS + MARGIN_MS - now).max(0.0),
            _ => 0.0,
        }
    }

    pub fn sent(&self, ticket: u64, now: f64) {
        self.update(ticket, Mark::Sent(now));
    }

    /// The call was answered (or failed, or was abandoned) at `now`.
    pub fn done(&self, ticket: u64, now: f64) {
        self.update(ticket, Mark::Done(now));
    }

    /// A ticket whose caller went away: before sending it stops blocking the queue at once;
    /// after, it counts as answered at its send time, the earliest KIS could have seen it.
    pub fn abandon(&self, ticket: u64) {
        self.update(ticket, Mark::Abandoned);
    }

    /// Marks `ticket`, forgets what no ticket can refer to any more, and wakes the waiting.
    fn update(&self, ticket: u64, mark: Mark) {
        if !self.enabled() {
            return;
        }
        {
            let mut s = self.state.borrow_mut();
            if let Some(i) = s.position(ticket) {
                let slot = &mut s.slots[i];
                let done = match mark {
                    Mark::Sent(t) => {
                        slot.sent = Some(t);
                        None
                    }
                    Mark::Done(t) => Some(t),
                    Mark::Abandoned => Some(slot.sent.unwrap_or(f64::MIN)),
                };
                if let Some(t) = done {
                    slot.sent.get_or_insert(t);
                    slot.done = Some(t);
                }
            }
            // Forget answered slots that no waiting or future ticket can refer to: each refers
            // to the one N places before it, and none is placed before the oldest unsent.
            let mut unsent_at = s
                .slots
                .iter()
                .position(|x| x.sent.is_none())
                .unwrap_or(s.slots.len());
            while s.slots.front().is_some_and(|x| x.done.is_some())
                && unsent_at > self.per_sec.get() as usize
            {
                s.slots.pop_front();
                unsent_at -= 1;
            }
        }
        self.changes.set(self.changes.get() + 1);
        let wakers = std::mem::take(&mut *self.wakers.borrow_mut());
        for w in wakers {
            w.wake();
        }
    }

    /// Resolves at the next `sent` or `done`.
    pub fn changed(&self) -> Changed<'_> {
        Changed {
            limiter: self,
            seen: self.changes.get(),
        }
    }
}

enum Mark {
    Sent(f64),
    Done(f64),
    Abandoned,
}

pub struct Changed<'a> {
    limiter: &'a RateLimiter,
    seen: u64,
}

impl Future for Changed<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.limiter.changes.get() != self.seen {
            Poll::Ready(())
        } else {
            self.limiter.wakers.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b4_the_n_plus_first_waits_a_window_after_the_first_answer() {
        let lim = RateLimiter::new(2);
        let t: Vec<u64> = (0..3).map(|_| lim.ticket(false)).collect();
        assert_eq!(lim.check(t[0], 0.0), Gate::Go);
        lim.sent(t[0], 0.0);
        assert_eq!(lim.check(t[1], 0.0), Gate::Go);
        lim.sent(t[1], 0.0);
        assert_eq!(
            lim.check(t[2], 0.0),
            Gate::WaitForChange,
            "the first is still in flight"
        );
        lim.done(t[0], 150.0); // a slow answer (a preflight, say)
        assert_eq!(lim.check(t[2], 200.0), Gate::WaitUntil(1155.0));
        assert_eq!(lim.check(t[2], 1155.0), Gate::Go);
    }

    #[test]
    fn b4_a_clock_set_back_delays_a_call_by_a_window_at_most() {
        let lim = RateLimiter::new(1);
        let a = lim.ticket(false);
        let b = lim.ticket(false);
        lim.sent(a, 3_600_000.0);
        lim.done(a, 3_600_100.0);
        // An hour back: the answer counts as now, not as an hour ahead.
        assert_eq!(
            lim.check(b, 500.0),
            Gate::WaitUntil(500.0 + WINDOW_MS + MARGIN_MS)
        );
        assert_eq!(lim.check(b, 1505.0), Gate::Go);
    }

    #[test]
    fn b4_tickets_leave_in_order() {
        let lim = RateLimiter::new(5);
        let a = lim.ticket(false);
        let b = lim.ticket(false);
        assert_eq!(
            lim.check(b, 0.0),
            Gate::WaitForChange,
            "b may not overtake a"
        );
        lim.sent(a, 0.0);
        assert_eq!(lim.check(b, 0.0), Gate::Go);
    }

    #[test]
    fn b4_a_write_goes_ahead_of_the_reads_still_waiting_and_keeps_the_window() {
        let lim = RateLimiter::new(1);
        let r1 = lim.ticket(false);
        let r2 = lim.ticket(false);
        let r3 = lim.ticket(false);
        assert_eq!(lim.check(r1, 0.0), Gate::Go);
        lim.sent(r1, 0.0);
        let w1 = lim.ticket(true);
        let w2 = lim.ticket(true);
        assert_eq!(lim.check(w1, 0.0), Gate::WaitForChange, "r1 is in flight");
        lim.done(r1, 100.0);
        // The write takes the place r2 had: a window after r1's answer.
        assert_eq!(lim.check(w1, 200.0), Gate::WaitUntil(1105.0));
        assert_eq!(
            lim.check(r2, 1105.0),
            Gate::WaitForChange,
            "r2 waits for w1"
        );
        assert_eq!(
            lim.check(w2, 1105.0),
            Gate::WaitForChange,
            "writes keep their order"
        );
        assert_eq!(lim.check(w1, 1105.0), Gate::Go);
        lim.sent(w1, 1105.0);
        lim.done(w1, 1150.0);
        assert_eq!(lim.check(w2, 1150.0), Gate::WaitUntil(2155.0));
        lim.sent(w2, 2155.0);
        lim.done(w2, 2200.0);
        assert_eq!(lim.check(r2, 2200.0), Gate::WaitUntil(3205.0));
        lim.sent(r2, 3205.0);
        // A later write goes ahead of r3 too, and after r2, which has left.
        let w3 = lim.ticket(true);
        assert_eq!(lim.check(w3, 3205.0), Gate::WaitForChange, "r2 in flight");
        lim.done(r2, 3300.0);
        assert_eq!(
            lim.check(r3, 3300.0),
            Gate::WaitForChange,
            "r3 waits for w3"
        );
        assert_eq!(lim.check(w3, 3300.0), Gate::WaitUntil(4305.0));
        lim.sent(w3, 4305.0);
        lim.done(w3, 4400.0);
        assert_eq!(lim.check(r3, 4400.0), Gate::WaitUntil(5405.0));
        // With nothing waiting, a write queues at the end, as any call.
        lim.sent(r3, 5405.0);
        let w4 = lim.ticket(true);
        assert_eq!(lim.check(w4, 5405.0), Gate::WaitForChange, "r3 in flight");
    }

    #[test]
    fn an_abandoned_ticket_does_not_block_the_queue() {
        let lim = RateLimiter::new(1);
        let a = lim.ticket(false);
        let b = lim.ticket(false);
        lim.abandon(a);
        assert_eq!(lim.check(b, 0.0), Gate::Go);
    }

    #[test]
    fn old_slots_are_forgotten() {
        let lim = RateLimiter::new(3);
        for i in 0..100 {
            let k = lim.ticket(false);
            lim.sent(k, f64::from(i) * 400.0);
            lim.done(k, f64::from(i) * 400.0 + 10.0);
        }
        assert!(lim.state.borrow().slots.len() <= 4);
    }

    #[test]
    fn zero_means_off_and_keeps_nothing() {
        let lim = RateLimiter::new(0);
        assert!((0..100).all(|_| lim.check(lim.ticket(false), 5.0) == Gate::Go));
        assert!(lim.state.borrow().slots.is_empty());
    }
}
