//! The realtime socket's approval key (`POST /oauth2/Approval`): asked lazily, once per app key
//! however many subscribers start together, kept in the state the app key's clients share, and
//! masked everywhere like the token.

use crate::engine::core::KisCore;
use crate::engine::token::oauth_failure;
use crate::engine::transport::transport_error;
use crate::engine::transport::{Clock, TokenStore, Transport};
use crate::envelope::{classify, Verdict};
use crate::error::Result;
use crate::headers::{approval_body, sendable};

pub const APPROVAL_PATH: &str = "/oauth2/Approval";

/// How long an approval key is used for new connections: half of the 24 hours KIS gives it.
/// KIS checks it when a connection starts, and a connection that runs for days reconnects with
/// it after a dropped network; past its lifetime every reconnect would be refused.
pub const APPROVAL_REUSE_MS: f64 = 12.0 * 3_600_000.0;

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    /// The approval key: issued on first use, and again once it is `APPROVAL_REUSE_MS` old.
    pub async fn ensure_approval_key(&self) -> Result<String> {
        self.cfg.require_keys()?;
        if let Some(k) = self.fresh_approval_key() {
            return Ok(k);
        }
        self.shared
            .approval_flight
            .run(|| async move {
                if let Some(k) = self.fresh_approval_key() {
                    return Ok(k);
                }
                let key = self.issue_approval_key().await.map_err(|e| self.scrub(e))?;
                self.shared.tokens.add(&key);
                *self.shared.approval_key.borrow_mut() = Some((key.clone(), self.clock.now_ms()));
                Ok(key)
            })
            .await
    }

    /// The key issued last, while it is young enough for a new connection. (A clock set back
    /// counts its age as none, as the token's issuance gap does.)
    fn fresh_approval_key(&self) -> Option<String> {
        let now = self.clock.now_ms();
        self.shared
            .approval_key
            .borrow()
            .as_ref()
            .filter(|(_, at)| now - at < APPROVAL_REUSE_MS)
            .map(|(k, _)| k.clone())
    }

    async fn issue_approval_key(&self) -> Result<String> {
        let req = self.oauth_request(APPROVAL_PATH, approval_body(&self.cfg.credentials()));
        let resp = self
            .send(req)
            .await
            .map_err(|te| transport_error(te, APPROVAL_PATH, ""))?;
        let c = classify(resp.status, &resp.body);
        let key = match (&c.verdict, &c.body) {
            (Verdict::Ok, Some(b)) => b.string("approval_key"),
            _ => None,
        };
        match key {
            // It travels in every subscribe frame: nothing that could break the JSON or a log.
            Some(k) if sendable(&k) => Ok(k.into_owned()),
            _ => Err(oauth_failure(
                APPROVAL_PATH,
                "approval key",
                "approval_key",
                resp.status,
                &c,
            )
            .with_body(&resp.body)),
        }
    }
}
