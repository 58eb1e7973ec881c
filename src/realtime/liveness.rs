//! When a realtime connection is taken for dead. A connection can die without a close: a
//! laptop that slept, a NAT that forgot it, a network switched under it. The socket then stays
//! "open" and nothing more comes, for hours, until TCP gives up; a watcher's prices simply stop.
//! KIS sends `PINGPONG` every few seconds even when nothing trades, so a connection that has
//! heard nothing at all for `silenceMs` is closed and made again, with every subscription.

use crate::error::Result;

/// The silence after which a connection is taken for dead, unless the caller says otherwise.
pub const SILENCE_MS: f64 = 60_000.0;

/// `options.silenceMs`: absent, the default; 0, never; else at least a second (KIS's pings
/// come seconds apart, and a shorter silence would tear down live connections).
pub fn silence_ms(given: Option<f64>) -> Result<f64> {
    let Some(ms) = given else {
        return Ok(SILENCE_MS);
    };
    if ms == 0.0 {
        return Ok(0.0);
    }
    let ms = crate::input::whole_number("options.silenceMs", ms, 1000.0, f64::from(i32::MAX))?;
    Ok(ms as f64)
}

/// How often the binding looks: a quarter of the silence, so that a dead connection is seen
/// within 1¼ silences.
pub fn check_every(silence_ms: f64) -> f64 {
    silence_ms / 4.0
}

/// Whether a connection that last heard anything at `heard_at` is dead at `now`.
pub fn is_dead(now: f64, heard_at: f64, silence_ms: f64) -> bool {
    silence_ms > 0.0 && now - heard_at >= silence_ms
}

/// What the binding says when it takes a connection for dead: one that never opened, or one
/// that went silent.
pub fn dead_warning(silence_ms: f64, opening: bool) -> String {
    let secs = silence_ms / 1000.0;
    match opening {
        true => format!(
            "KIS realtime: the connection did not open within {secs} s: it is given up and \
             made again (options.silenceMs)"
        ),
        false => format!(
            "KIS realtime: nothing heard for {secs} s, not even KIS's PINGPONG: the connection \
             is taken for dead and made again (options.silenceMs)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_silent_for_silence_ms_is_dead_and_0_turns_it_off() {
        assert_eq!(silence_ms(None).unwrap(), SILENCE_MS);
        assert_eq!(silence_ms(Some(0.0)).unwrap(), 0.0);
        assert_eq!(silence_ms(Some(5000.0)).unwrap(), 5000.0);
        for bad in [999.0, 1500.5, -1.0, f64::NAN] {
            let e = silence_ms(Some(bad)).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("options.silenceMs"), "{bad}");
        }
        assert!(!is_dead(59_999.0, 0.0, SILENCE_MS));
        assert!(is_dead(60_000.0, 0.0, SILENCE_MS));
        assert!(!is_dead(1e12, 0.0, 0.0), "off");
        // A clock set back is no silence.
        assert!(!is_dead(0.0, 60_000.0, SILENCE_MS));
        assert_eq!(check_every(SILENCE_MS), 15_000.0);
    }
}
