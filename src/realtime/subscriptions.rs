//! What one connection is subscribed to: KIS allows 41 registrations a session, and a reconnect
//! must restore every one of them.

use crate::error::{ErrorKind, KisError, Result};

/// KIS's limit of registrations per connection.
pub const MAX_SUBSCRIPTIONS: usize = 41;

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
