//! B4: a sliding-window limiter shared by every call of a client. No 1-second window ever holds
//! more than N admissions, which a token bucket with a burst of N cannot promise (N at the end of
//! one second plus N at the start of the next). Callers reserve their slot synchronously, in call
//! order, so admission is FIFO without a queue of wakers.

use std::cell::RefCell;
use std::collections::VecDeque;

/// Extra spacing so that network jitter cannot squeeze N+1 calls into KIS's one-second window.
pub const JITTER_MARGIN_MS: f64 = 15.0;
const WINDOW_MS: f64 = 1000.0;

pub struct RateLimiter {
    per_sec: usize,
    /// The last `per_sec` admission times, oldest first (some may lie in the future).
    admitted: RefCell<VecDeque<f64>>,
}

impl RateLimiter {
    pub fn new(per_sec: u32) -> Self {
        RateLimiter {
            per_sec: per_sec as usize,
            admitted: RefCell::new(VecDeque::new()),
        }
    }

    /// Reserves the earliest admission time at or after `now`, never before an earlier
    /// reservation, and at least a window after the N-th previous one.
    pub fn reserve(&self, now: f64) -> f64 {
        if self.per_sec == 0 {
            return now;
        }
        let mut q = self.admitted.borrow_mut();
        let mut t = q.back().map_or(now, |&last| now.max(last));
        if q.len() >= self.per_sec {
            t = t.max(q[q.len() - self.per_sec] + WINDOW_MS + JITTER_MARGIN_MS);
        }
        q.push_back(t);
        while q.len() > self.per_sec {
            q.pop_front();
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_in_any_window(times: &[f64]) -> usize {
        times
            .iter()
            .map(|&start| {
                times
                    .iter()
                    .filter(|&&t| t >= start && t < start + WINDOW_MS)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn b4_no_window_holds_more_than_n() {
        let lim = RateLimiter::new(18);
        let times: Vec<f64> = (0..100).map(|_| lim.reserve(0.0)).collect();
        assert_eq!(max_in_any_window(&times), 18);
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "FIFO order");
        // Close to the limit: 100 calls take a little over 5 windows.
        let last = *times.last().unwrap();
        assert!(last < 5.0 * (WINDOW_MS + JITTER_MARGIN_MS) + 1.0, "{last}");
    }

    #[test]
    fn b4_staggered_arrivals_still_respect_the_window() {
        let lim = RateLimiter::new(3);
        let arrivals = [
            0.0, 100.0, 200.0, 900.0, 950.0, 1010.0, 1500.0, 1600.0, 2500.0,
        ];
        let times: Vec<f64> = arrivals.iter().map(|&a| lim.reserve(a)).collect();
        assert_eq!(max_in_any_window(&times), 3);
        for (a, t) in arrivals.iter().zip(&times) {
            assert!(t >= a);
        }
        assert_eq!(times[3], 1015.0);
    }

    #[test]
    fn zero_means_off() {
        let lim = RateLimiter::new(0);
        assert!((0..100).all(|_| lim.reserve(5.0) == 5.0));
    }
}
