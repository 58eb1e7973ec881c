//! What one connection is subscribed to: KIS allows 41 registrations a session, and a reconnect
//! must restore every one of them.

use crate::env::Env;
use crate::error::{ErrorKind, KisError, Result};
use crate::realtime::columns::ids;

/// KIS's limit of registrations per connection.
pub const MAX_SUBSCRIPTIONS: usize = 41;

/// The longest `tr_key` of any realtime TR in KIS's workbook (an HTS ID; a symbol is 6).
pub const MAX_TR_KEY: usize = 12;

/// Refuses a TR that is not one of the catalogue's realtime TRs (its real or mock ID), or that
/// is the other environment's ID of a TR KIS names apart in its mock one (the fill notices:
/// H0STCNI0 real, H0STCNI9 mock), before anything connects: KIS would only say `invalid tr_id`
/// after the socket opened.
pub fn validate_tr_id(field: &str, tr_id: &str, env: Env) -> Result<()> {
    let Some((real, mocks)) = ids(tr_id) else {
        return Err(KisError::validation(
            field,
            format!(
                "is not a realtime TR of the catalogue, got {tr_id:?} (e.g. \"H0STCNT0\" trades, \
                 \"H0STASP0\" orderbook)"
            ),
        ));
    };
    let mock = mocks.first().filter(|_| !mocks.contains(&real));
    match (env, mock) {
        (Env::Mock, Some(mock)) if tr_id == real => Err(KisError::validation(
            field,
            format!("is the real environment's TR, got {tr_id:?}: in mock it is {mock:?}"),
        )),
        (Env::Real, Some(_)) if tr_id != real => Err(KisError::validation(
            field,
            format!("is the mock environment's TR, got {tr_id:?}: in real it is {real:?}"),
        )),
        _ => Ok(()),
    }
}

/// Refuses a `tr_key` KIS could not take (a symbol, an HTS ID, a market code): 1 to
/// [`MAX_TR_KEY`] printable ASCII characters, none of them a space, a quote, a backslash or a
/// separator of KIS's data frames (`|`, `^`), which would make its records unreadable.
pub fn validate_tr_key(field: &str, tr_key: &str, what: &str) -> Result<()> {
    let fits = |b: u8| b.is_ascii_graphic() && !b"\"\\|^".contains(&b);
    if (1..=MAX_TR_KEY).contains(&tr_key.len()) && tr_key.bytes().all(fits) {
        Ok(())
    } else {
        Err(KisError::validation(
            field,
            format!(
                "must be {what}: 1 to {MAX_TR_KEY} characters, no spaces, quotes, \\ | or ^, \
                 got {tr_key:?}"
            ),
        ))
    }
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Subscriptions {
    /// `(tr_id, tr_key)` in the order they were made, which a reconnect repeats.
    list: Vec<(String, String)>,
}

impl Subscriptions {
    /// Registers `(tr_id, tr_key)`; true when it is new (a request must go out), false when it
    /// is already there; an error past the limit, before anything is sent.
    pub fn add(&mut self, tr_id: &str, tr_key: &str) -> Result<bool> {
        if self.list.iter().any(|(t, k)| t == tr_id && k == tr_key) {
            return Ok(false);
        }
        if self.list.len() >= MAX_SUBSCRIPTIONS {
            return Err(KisError::new(
                ErrorKind::Validation,
                format!(
                    "KIS allows {MAX_SUBSCRIPTIONS} realtime subscriptions a connection; \
                     unsubscribe one before {tr_id} {tr_key}"
                ),
            ));
        }
        self.list.push((tr_id.to_string(), tr_key.to_string()));
        Ok(true)
    }

    /// Removes it; true when it was there.
    pub fn remove(&mut self, tr_id: &str, tr_key: &str) -> bool {
        let before = self.list.len();
        self.list.retain(|(t, k)| !(t == tr_id && k == tr_key));
        self.list.len() != before
    }

    /// Everything to subscribe again after a reconnect, in the order first made.
    pub fn all(&self) -> &[(String, String)] {
        &self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b6_a_subscription_names_a_catalogued_tr_and_a_key_kis_can_take() {
        for (tr, env) in [
            ("H0STCNT0", Env::Real),
            ("H0STCNT0", Env::Mock),
            ("H0STASP0", Env::Mock),
            ("H0STCNI0", Env::Real),
            ("H0STCNI9", Env::Mock),
            ("H0GSCNI9", Env::Mock),
        ] {
            assert!(validate_tr_id("trId", tr, env).is_ok(), "{tr}");
        }
        // The fill notices' IDs of the other environment, which KIS refuses only once connected.
        for (tr, env, right) in [
            ("H0STCNI0", Env::Mock, "in mock it is \"H0STCNI9\""),
            ("H0STCNI9", Env::Real, "in real it is \"H0STCNI0\""),
            ("H0GSCNI0", Env::Mock, "in mock it is \"H0GSCNI9\""),
        ] {
            let e = validate_tr_id("trId", tr, env).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("trId"));
            assert!(e.message.contains(right), "{}", e.message);
        }
        for tr in ["H0STCNT", "h0stcnt0", "", "-", "H0STCNT0 ", "FHKST01010100"] {
            let e = validate_tr_id("trId", tr, Env::Real).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("trId"), "{tr}");
            assert!(e.message.contains(&format!("\"{tr}\"")), "{}", e.message);
        }
        for key in ["005930", "my-hts-id", "DNASAAPL", "123456789012"] {
            assert!(validate_tr_key("trKey", key, "a key").is_ok(), "{key}");
        }
        for key in [
            "",
            "1234567890123",
            "005930 ",
            "삼성",
            "a\tb",
            "a\"b",
            "a|b",
            "a^b",
        ] {
            let e = validate_tr_key("htsId", key, "an HTS ID").unwrap_err();
            assert_eq!(e.field.as_deref(), Some("htsId"), "{key:?}");
            assert!(
                e.message.contains("must be an HTS ID: 1 to 12 characters"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn the_42nd_subscription_is_refused_and_a_reconnect_restores_all_in_order() {
        let mut s = Subscriptions::default();
        for i in 0..MAX_SUBSCRIPTIONS {
            assert!(s.add("H0STCNT0", &format!("{i:06}")).unwrap());
        }
        assert!(
            !s.add("H0STCNT0", "000000").unwrap(),
            "already there: nothing to send"
        );
        let e = s.add("H0STASP0", "005930").unwrap_err();
        assert!(e.message.contains("41"), "{}", e.message);
        assert!(s.remove("H0STCNT0", "000005"));
        assert!(s.add("H0STASP0", "005930").unwrap());
        assert_eq!(s.all().len(), MAX_SUBSCRIPTIONS);
        assert_eq!(s.all()[0], ("H0STCNT0".to_string(), "000000".to_string()));
        assert_eq!(s.all().last().unwrap().0, "H0STASP0");
    }
}
