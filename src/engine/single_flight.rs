//! One in-flight computation shared by every caller that asks while it runs: 50 calls on a cold
//! client cause one token request, not 50.

use std::cell::Cell;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

struct Slot<T> {
    result: RefCell<Option<T>>,
    done: Cell<bool>,
    wakers: RefCell<Vec<Waker>>,
}

pub struct SingleFlight<T> {
    current: RefCell<Option<Rc<Slot<T>>>>,
}

impl<T> Default for SingleFlight<T> {
    fn default() -> Self {
        SingleFlight {
            current: RefCell::new(None),
        }
    }
}

/// Ends the flight when the leader finishes or is dropped mid-way, so followers never hang: after
/// a dropped leader they find no result and one of them leads anew.
struct Finish<'a, T> {
    flight: &'a SingleFlight<T>,
    slot: Rc<Slot<T>>,
}

impl<T> Drop for Finish<'_, T> {
    fn drop(&mut self) {
        self.slot.done.set(true);
        let mut cur = self.flight.current.borrow_mut();
        if cur.as_ref().is_some_and(|s| Rc::ptr_eq(s, &self.slot)) {
            *cur = None;
        }
        drop(cur);
        // Taken out first, so that no borrow is held while the wakers run.
        let wakers = std::mem::take(&mut *self.slot.wakers.borrow_mut());
        for w in wakers {
            w.wake();
        }
    }
}

struct Wait<T>(Rc<Slot<T>>);

impl<T> Future for Wait<T> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.done.get() {
            Poll::Ready(())
        } else {
            self.0.wakers.borrow_mut().push(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl<T: Clone> SingleFlight<T> {
    pub fn in_flight(&self) -> bool {
        self.current.borrow().is_some()
    }

    pub async fn run<F, Fut>(&self, make: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let mut make = Some(make);
        loop {
            let existing = self.current.borrow().clone();
            if let Some(slot) = existing {
                Wait(slot.clone()).await;
                if let Some(v) = slot.result.borrow().clone() {
                    return v;
                }
                continue;
            }
            let slot = Rc::new(Slot {
                result: RefCell::new(None),
                done: Cell::new(false),
                wakers: RefCell::new(Vec::new()),
            });
            *self.current.borrow_mut() = Some(slot.clone());
            let finish = Finish {
                flight: self,
                slot: slot.clone(),
            };
            // (`expect` would format its message, linking core's text padding into the wasm.)
            let Some(make) = make.take() else {
                panic!("a caller leads at most once");
            };
            let v = make().await;
            *slot.result.borrow_mut() = Some(v.clone());
            drop(finish);
            return v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::yield_now;
    use futures::future::join_all;

    #[test]
    fn b2_concurrent_callers_share_one_run() {
        let flight = SingleFlight::<u32>::default();
        let runs = Cell::new(0);
        let calls = (0..10).map(|_| {
            flight.run(|| async {
                runs.set(runs.get() + 1);
                yield_now().await;
                42
            })
        });
        let results = futures::executor::block_on(join_all(calls));
        assert_eq!(runs.get(), 1);
        assert_eq!(results, vec![42; 10]);
        assert!(!flight.in_flight());
    }

    #[test]
    fn a_dropped_leader_hands_over_to_a_follower() {
        let flight = SingleFlight::<u32>::default();
        let mut pool = futures::executor::LocalPool::new();
        let leader = Box::pin(flight.run(|| async {
            futures::future::pending::<()>().await;
            1
        }));
        let mut leader = Some(leader);
        // Poll the leader once so it owns the flight, then drop it.
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(leader.as_mut().unwrap().as_mut().poll(&mut cx).is_pending());
        assert!(flight.in_flight());
        drop(leader.take());
        assert!(!flight.in_flight());
        let v = pool.run_until(flight.run(|| async { 7 }));
        assert_eq!(v, 7);
    }
}
