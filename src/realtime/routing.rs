//! Which subscribers of a TR a data record goes to. A record names what it is about in its first
//! field (the symbol; a fill notice's HTS ID), as its subscription's key did, for most TRs; a
//! few lead with something else (H0UNMKO0 with its trading-halt flag), and a key KIS echoes in
//! another form than the one subscribed (case, a prefix) would never match either. So a TR is
//! routed by key once one of its records has named a subscription, and until then to every
//! subscriber of it.
//!
//! Once a TR is routed by key, a record naming no subscription is nobody's: a trade still in
//! flight when its subscription ended, or one KIS had no reason to send. Handing it to the TR's
//! other subscribers would put one symbol's price on another's row, so it is dropped: without a
//! word when its key was followed before on the connection (the unsubscribe's leftovers), said
//! once for the TR otherwise.

/// Where a record goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// To the subscribers of its key.
    Keyed,
    /// To every subscriber of its TR: its first field has never named one.
    Every,
    /// To none; `say` is the warning to log, at most once a TR.
    Drop { say: Option<String> },
}

/// Kept in lists: a connection has a few TRs, and the keys are looked through only for a
/// record that is dropped.
#[derive(Debug, Default)]
pub struct Routing {
    /// The TRs whose records have named a subscription by their first field.
    keyed: Vec<String>,
    /// Every TR and key subscribed on the connection, ended ones too.
    followed: Vec<(String, String)>,
    /// The TRs whose stray record has been said.
    said: Vec<String>,
}

impl Routing {
    /// A subscription of `tr_id` to `tr_key`, kept for good: its leftovers after it ends are
    /// known for what they are.
    pub fn follow(&mut self, tr_id: &str, tr_key: &str) {
        if !self.followed.iter().any(|(t, k)| t == tr_id && k == tr_key) {
            self.followed.push((tr_id.to_string(), tr_key.to_string()));
        }
    }

    /// The route of a record of `tr_id` whose first field is `key`; `subscribed` says whether a
    /// subscription of the TR has that key now.
    pub fn route(&mut self, tr_id: &str, key: &str, subscribed: bool) -> Route {
        let keyed = self.keyed.iter().any(|t| t == tr_id);
        if subscribed {
            if !keyed {
                self.keyed.push(tr_id.to_string());
            }
            return Route::Keyed;
        }
        if !keyed {
            return Route::Every;
        }
        let leftover = self.followed.iter().any(|(t, k)| t == tr_id && k == key);
        let unsaid = !self.said.iter().any(|t| t == tr_id);
        let say = (!leftover && unsaid).then(|| {
            self.said.push(tr_id.to_string());
            format!(
                "a {tr_id} record of {key:?}, which no subscription of this connection follows, \
                 was dropped rather than given to the TR's other subscribers (later ones are not \
                 logged)"
            )
        });
        Route::Drop { say }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tr_is_routed_by_key_once_a_record_names_a_subscription() {
        let mut r = Routing::default();
        r.follow("H0STCNT0", "005930");
        // Before any record named a subscription, one naming none goes to all of the TR.
        assert_eq!(r.route("H0STCNT0", "999999", false), Route::Every);
        assert_eq!(r.route("H0STCNT0", "005930", true), Route::Keyed);
        let Route::Drop { say: Some(say) } = r.route("H0STCNT0", "999999", false) else {
            panic!("a stray record of a keyed TR was not dropped and said")
        };
        assert!(
            say.contains("H0STCNT0") && say.contains("\"999999\""),
            "{say}"
        );
        assert_eq!(
            r.route("H0STCNT0", "888888", false),
            Route::Drop { say: None },
            "said once a TR"
        );
        // Another TR keeps its own state.
        assert_eq!(r.route("H0STASP0", "999999", false), Route::Every);
    }

    #[test]
    fn an_ended_subscriptions_leftovers_are_dropped_without_a_word() {
        let mut r = Routing::default();
        r.follow("H0STCNT0", "005930");
        r.follow("H0STCNT0", "000660");
        assert_eq!(r.route("H0STCNT0", "000660", true), Route::Keyed);
        // 000660 ended; its trades still in flight reach nobody, and nothing is logged.
        assert_eq!(
            r.route("H0STCNT0", "000660", false),
            Route::Drop { say: None }
        );
    }

    #[test]
    fn a_tr_whose_first_field_never_names_a_subscription_goes_to_all_of_it() {
        let mut r = Routing::default();
        r.follow("H0UNMKO0", "005930");
        for flag in ["N", "Y", "N"] {
            assert_eq!(r.route("H0UNMKO0", flag, false), Route::Every);
        }
    }
}
