//! How long a realtime connection waits before it connects again: half a second, doubling, at
//! most 30 s, so that a dropped connection comes back soon without hammering a KIS that is down;
//! at most 5 minutes while KIS refuses the session (another connection holds the app key), since
//! KIS warns that an app key or address that connects and is closed over and over may be
//! blocked for a while.

/// The longest wait after a dropped connection.
pub const MAX_WAIT_MS: f64 = 30_000.0;
/// The longest wait while KIS refuses the session.
pub const MAX_WAIT_REFUSED_MS: f64 = 300_000.0;

/// The wait before connection attempt `attempt` (0 for the first after a connection that
/// worked); `refused`: KIS refused the session since.
pub fn reconnect_wait_ms(attempt: u32, refused: bool) -> f64 {
    let cap = if refused {
        MAX_WAIT_REFUSED_MS
    } else {
        MAX_WAIT_MS
    };
    (500.0 * 2f64.powi(attempt.min(10) as i32)).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubling_from_half_a_second_to_30_s_or_to_5_minutes_while_kis_refuses_the_session() {
        let waits: Vec<f64> = (0..9).map(|n| reconnect_wait_ms(n, false)).collect();
        assert_eq!(
            waits,
            [500.0, 1e3, 2e3, 4e3, 8e3, 16e3, 30e3, 30e3, 30e3],
            "a dropped connection"
        );
        let refused: Vec<f64> = (5..12).map(|n| reconnect_wait_ms(n, true)).collect();
        assert_eq!(refused, [16e3, 32e3, 64e3, 128e3, 256e3, 300e3, 300e3]);
        assert_eq!(reconnect_wait_ms(u32::MAX, true), MAX_WAIT_REFUSED_MS);
        assert_eq!(reconnect_wait_ms(u32::MAX, false), MAX_WAIT_MS);
    }
}
