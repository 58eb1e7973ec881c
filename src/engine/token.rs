//! Token lifecycle (S5, S6, S8, B2, B3): lazy, single-flight issuance, reuse from a store keyed by
//! environment and a hash of the app key, one issuance a minute at most, and the one re-issue S6
//! allows when KIS rejects the token in use.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;

use futures::future::{select, Either};
use serde_json::Value;

use crate::engine::core::KisCore;
use crate::engine::transport::{
    transport_error, Clock, HttpRequest, Method, TokenStore, Transport,
};
use crate::envelope::{classify, Classified, Verdict};
use crate::error::{ErrorKind, KisError, Result};
use crate::events::EventType;
use crate::headers::{revoke_body, sendable, token_body, token_headers};
use crate::kst::kst_datetime;
use crate::models::{StoredToken, TokenInfo};
use crate::token::{parse_token, stated_expiry, store_key, Token};

pub const TOKEN_PATH: &str = "/oauth2/tokenP";
pub const REVOKE_PATH: &str = "/oauth2/revokeP";
/// KIS refuses a second issuance within a minute (EGW00133).
pub const MIN_ISSUE_GAP_MS: f64 = 60_000.0;
pub const REFRESH_INTERVAL_MS: f64 = 30.0 * 60_000.0;
/// After EGW00133 with a shared store, how often and how long apart to look in it again.
const STORE_RECHECKS: u32 = 3;
const STORE_RECHECK_MS: f64 = 1_000.0;

/// A `/oauth2/` answer (`what`: "token", "approval key") that gave no usable `field`, as an
/// error of the kind its verdict says, saying which of KIS's answers it was.
pub(crate) fn oauth_failure(
    path: &str,
    what: &str,
    field: &str,
    status: u16,
    c: &Classified,
) -> KisError {
    let kind = match c.verdict {
        Verdict::IssueThrottled => ErrorKind::RateLimited,
        Verdict::Api | Verdict::TokenRejected | Verdict::GatewayBusy => ErrorKind::Api,
        Verdict::Ok | Verdict::Decode => ErrorKind::Decode,
        Verdict::Transient | Verdict::Http => ErrorKind::Http,
    };
    let message = match c.verdict {
        Verdict::Ok => format!(
            "KIS answered the {what} request (HTTP {status}) without a usable {field}: \
             missing, empty, or with characters a header cannot carry"
        ),
        Verdict::Decode => format!(
            "KIS answered the {what} request (HTTP {status}) with a body that is not a JSON object"
        ),
        _ => format!("KIS {what} request failed with HTTP {status}"),
    };
    KisError::new(kind, message)
        .with_request(path, "")
        .with_status(status)
        .with_codes(&c.codes.msg_cd, &c.codes.msg1)
}

/// A failed `/oauth2/` answer's error, its message ending with what KIS said, when it said it.
fn in_kis_words(mut e: KisError, c: &Classified) -> KisError {
    if !c.codes.msg1.is_empty() {
        e.message = format!(
            "{}: {} {}",
            e.message,
            c.codes.msg_cd,
            c.codes.msg1.trim_ascii_end()
        );
    }
    e
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    /// A POST to one of KIS's `/oauth2/` endpoints (the token, the approval key): JSON in, no
    /// token or hashkey, the client's timeout and answer cap.
    pub(crate) fn oauth_request(&self, path: &str, body: String) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            url: format!("{}{path}", self.cfg.base_url),
            headers: token_headers(),
            body: Some(body),
            timeout_ms: self.cfg.timeout_ms,
            max_body_bytes: self.cfg.max_response_bytes,
        }
    }

    pub fn token_info(&self) -> Option<TokenInfo> {
        let now = self.clock.now_ms();
        self.shared.token.borrow().as_ref().map(|t| t.info(now))
    }

    pub fn store_key(&self) -> String {
        store_key(self.cfg.env, &self.cfg.app_key)
    }

    fn usable_token(&self) -> Option<String> {
        let now = self.clock.now_ms();
        self.shared
            .token
            .borrow()
            .as_ref()
            .filter(|t| t.usable(now))
            .map(|t| t.access_token.clone())
    }

    /// S5: the token for the next call, issuing (once, however many callers wait) when needed.
    pub async fn ensure_token(&self) -> Result<String> {
        self.cfg.require_keys()?;
        if let Some(t) = self.usable_token() {
            return Ok(t);
        }
        let token = self.flight(true, false).await?;
        Ok(token.access_token)
    }

    /// The token's single flight (B2), for its three callers. `stored_first`: a stored token
    /// will do.
    async fn flight(&self, stored_first: bool, after_rejection: bool) -> Result<Token> {
        self.shared
            .token_flight
            .run(|| async move {
                // One warning of a spoiled stored token a flight, however often it looks.
                let warned = Cell::new(false);
                if stored_first {
                    if let Some(t) = self.load_stored(&warned).await {
                        return Ok(t);
                    }
                }
                let failed = match self.issue(after_rejection).await {
                    Ok(t) => return Ok(t),
                    // KIS refusing the minute's second issuance (EGW00133, a status; the
                    // client's own minute has none) to a client that found a shared store
                    // empty or its token rejected: another process on the store was issued a
                    // token a moment ago, and its write lands shortly. With a store of its own,
                    // B1's refusal is at once.
                    Err(e)
                        if (stored_first || after_rejection)
                            && self.store.shared()
                            && e.kind == ErrorKind::RateLimited
                            && e.status.is_some() =>
                    {
                        match self.stored_shortly(&warned).await {
                            Some(t) => return Ok(t),
                            None => e,
                        }
                    }
                    Err(e) => e,
                };
                // S4, once the issuance has failed for good: a refusal the store made up for
                // is no failure.
                if failed.status.is_some() {
                    self.log_failure(Method::Post, TOKEN_PATH, "", &failed);
                }
                Err(failed)
            })
            .await
    }

    /// The token another process on the shared store is writing: looked for
    /// `STORE_RECHECKS` times, `STORE_RECHECK_MS` apart.
    async fn stored_shortly(&self, warned: &Cell<bool>) -> Option<Token> {
        for _ in 0..STORE_RECHECKS {
            self.clock.sleep(STORE_RECHECK_MS).await;
            if let Some(t) = self.load_stored(warned).await {
                return Some(t);
            }
        }
        None
    }

    /// S6: KIS rejected `rejected`; re-issue once, unless another caller already replaced it.
    pub(crate) async fn refresh_after_rejection(&self, rejected: &str) -> Result<String> {
        if let Some(t) = self.usable_token() {
            if t != rejected {
                return Ok(t);
            }
        }
        self.shared.token.borrow_mut().take();
        *self.shared.rejected_token.borrow_mut() = Some(rejected.to_string());
        let token = self.flight(false, true).await?;
        Ok(token.access_token)
    }

    /// `forceRefreshToken()`: a new token now, within the one-a-minute rule.
    pub async fn force_refresh_token(&self) -> Result<TokenInfo> {
        self.cfg.require_keys()?;
        let token = self.flight(false, false).await?;
        Ok(token.info(self.clock.now_ms()))
    }

    /// `revokeToken()`: KIS forgets the token this client holds, or else the one its store
    /// keeps, so that a copy that leaked (a log, a shared file, a screenshot) can no longer
    /// trade; the next call is issued a new one, within B2's minute. False when there was no
    /// live token to revoke, or KIS says the token was already dead.
    pub async fn revoke_token(&self) -> Result<bool> {
        self.cfg.require_keys()?;
        let token = match self.usable_token() {
            Some(t) => t,
            None => match self.load_stored(&Cell::new(false)).await {
                Some(t) => t.access_token,
                None => return Ok(false),
            },
        };
        let req = self.oauth_request(REVOKE_PATH, revoke_body(&self.cfg.credentials(), &token));
        let started = self.clock.now_ms();
        let resp = match self.send(req).await {
            Ok(r) => r,
            Err(te) => {
                // Sent or not, the token is kept: if KIS did revoke it, the next call is told
                // so (EGW00121) and issued a new one under S6.
                let mut e = transport_error(te, REVOKE_PATH, "");
                e.message = format!(
                    "{}; KIS may or may not have revoked the token: call revokeToken() again",
                    e.message
                );
                return Err(self.scrub(e));
            }
        };
        let c = classify(resp.status, &resp.body);
        let mut ev = self.event(EventType::Token, REVOKE_PATH, "");
        ev.answered(resp.status, &c.codes.msg_cd);
        ev.ms = Some(self.clock.now_ms() - started);
        // KIS's answer is `{"code": 200, "message": ...}`, its code a number or a string.
        let revoked = c.verdict == Verdict::Ok
            && c.body
                .as_ref()
                .and_then(|b| b.get("code"))
                .is_some_and(|code| matches!(code.get(), "200" | "\"200\""));
        if revoked {
            ev.reason = Some("revoked");
        }
        self.emit(ev);
        if revoked || c.verdict == Verdict::TokenRejected {
            self.forget_token(&token).await;
            return Ok(revoked);
        }
        let body = self.redact(&resp.body);
        let e = oauth_failure(REVOKE_PATH, "token revocation", "code 200", resp.status, &c)
            .with_body(&body);
        let e = self.scrub(in_kis_words(e, &c));
        self.log_failure(Method::Post, REVOKE_PATH, "", &e);
        Err(e)
    }

    /// A token KIS no longer takes, forgotten: by this client and the clients sharing it, and
    /// by the store when it still keeps it (marked expired, since a store can only be set).
    async fn forget_token(&self, token: &str) {
        let held = self.usable_token().is_some_and(|t| t == token);
        if held {
            self.shared.token.borrow_mut().take();
        }
        *self.shared.rejected_token.borrow_mut() = Some(token.to_string());
        let stored = match self.read_stored().await {
            Some(s) if s.access_token == token => s,
            // Another process's newer token, or none (or a store that failed, warned of):
            // nothing of this one to undo.
            _ => return,
        };
        let expired = StoredToken {
            expires_at: self.clock.now_ms().min(stored.expires_at),
            ..stored
        };
        self.write_stored(&expired).await;
    }

    /// The store's copy, a failure warned of and taken for none: the store never fails a call.
    async fn read_stored(&self) -> Option<StoredToken> {
        let key = self.store_key();
        match self.store_answer("get", self.store.get(&key)).await {
            Ok(s) => s,
            Err(msg) => {
                self.warn(&format!("KIS token store read failed: {msg}"));
                None
            }
        }
    }

    /// The store's copy set, a failure warned of: the store never fails a call.
    async fn write_stored(&self, token: &StoredToken) {
        let key = self.store_key();
        if let Err(msg) = self.store_answer("set", self.store.set(&key, token)).await {
            self.warn(&format!("KIS token store write failed: {msg}"));
        }
    }

    /// S8: refreshes only a token this client already holds and that expires within the hour.
    /// Returns whether it refreshed.
    pub async fn refresh_if_expiring_soon(&self) -> Result<bool> {
        if !self.cfg.has_keys() {
            return Ok(false);
        }
        let due = match self.token_info() {
            Some(i) => i.is_expiring_soon,
            None => false,
        };
        if due {
            self.force_refresh_token().await?;
        }
        Ok(due)
    }

    /// S8's scheduler: refreshes when expiring soon after each `tick`, which waits an interval
    /// and answers whether to go on. The binding's tick answers false at once when the caller
    /// stops the scheduler, so that no pending timer keeps Node running.
    pub async fn run_token_refresh<F: Future<Output = bool>>(
        &self,
        interval_ms: f64,
        mut tick: impl FnMut(f64) -> F,
    ) {
        while tick(interval_ms).await {
            if let Err(e) = self.refresh_if_expiring_soon().await {
                self.warn(&format!("KIS token refresh failed: {}", e.message));
            }
        }
    }

    /// A token store's answer, given the client's timeout to come: the store is the caller's
    /// code, maybe remote, and one that never answers must not hold every call with it.
    async fn store_answer<A>(
        &self,
        method: &str,
        answer: impl Future<Output = std::result::Result<A, String>>,
    ) -> std::result::Result<A, String> {
        let Some(ms) = self.cfg.timeout_ms else {
            return answer.await;
        };
        match select(pin!(answer), pin!(self.clock.sleep(ms as f64))).await {
            Either::Left((answer, _)) => answer,
            Either::Right(_) => Err(format!(
                "tokenStore.{method}() did not answer within {ms} ms (options.timeoutMs)"
            )),
        }
    }

    /// The stored token, if it will do; `warned`: whether a spoiled one was warned of already.
    async fn load_stored(&self, warned: &Cell<bool>) -> Option<Token> {
        let stored = self.read_stored().await?;
        let now = self.clock.now_ms();
        let token = Token {
            access_token: stored.access_token,
            expires_at: stored.expires_at,
            issued_at: stored.issued_at,
        };
        let rejected =
            self.shared.rejected_token.borrow().as_deref() == Some(token.access_token.as_str());
        if !sendable(&token.access_token) {
            // A store that spoils what it keeps would otherwise cost a token issuance each
            // start, one a minute at most, with nothing said of why.
            if !warned.replace(true) {
                self.warn(
                    "KIS token store: tokenStore.get() returned a token that cannot be sent \
                     (empty, longer than any KIS issues, or with a character a header cannot \
                     carry): passed over, and a new one is issued",
                );
            }
            return None;
        }
        if !token.usable(now) || rejected {
            return None;
        }
        self.shared.tokens.add(&token.access_token);
        let last = self.shared.last_issue_at.get().unwrap_or(f64::MIN);
        self.shared
            .last_issue_at
            .set(Some(last.max(token.issued_at)));
        *self.shared.token.borrow_mut() = Some(token.clone());
        let mut e = self.event(EventType::Token, TOKEN_PATH, "");
        e.reason = Some("stored");
        self.emit(e);
        Some(token)
    }

    /// POST /oauth2/tokenP. `after_rejection` is S6's one exception to B2's minute.
    async fn issue(&self, after_rejection: bool) -> Result<Token> {
        let now = self.clock.now_ms();
        if let Some(mut last) = self.shared.last_issue_at.get() {
            // The clock was set back: the last issuance counts as now (its real moment cannot be
            // later), so the wait is a minute at most rather than the clock's jump.
            if last > now {
                last = now;
                self.shared.last_issue_at.set(Some(now));
            }
            let wait = last + MIN_ISSUE_GAP_MS - now;
            if wait > 0.0 && !after_rejection {
                return Err(KisError::new(
                    ErrorKind::RateLimited,
                    format!(
                        "KIS allows one token issuance a minute; the last was {} s ago",
                        ((now - last) / 1000.0) as u64
                    ),
                )
                .with_request(TOKEN_PATH, "")
                .with_retry_after(ceil_ms(wait)));
            }
        }
        let req = self.oauth_request(TOKEN_PATH, token_body(&self.cfg.credentials()));
        let started = self.clock.now_ms();
        let resp = self.send(req).await;
        let ms = self.clock.now_ms() - started;
        let resp = match resp {
            Ok(r) => r,
            Err(te) => return Err(self.scrub(transport_error(te, TOKEN_PATH, ""))),
        };
        // The minute counts from any answer: even a failed request may have minted one.
        self.shared.last_issue_at.set(Some(started));
        let c = classify(resp.status, &resp.body);
        let mut ev = self.event(EventType::Token, TOKEN_PATH, "");
        ev.answered(resp.status, &c.codes.msg_cd);
        ev.ms = Some(ms);
        let body = match c.verdict {
            Verdict::Ok => serde_json::from_str::<Value>(&resp.body).ok(),
            _ => None,
        };
        if let Some(at) = body.as_ref().and_then(stated_expiry) {
            if at <= started {
                self.warn(&format!(
                    "KIS says its new token expires at {} KST, already past by this machine's \
                     clock ({} KST): the clock is likely wrong, so the token's life is taken \
                     from expires_in",
                    kst_datetime(at),
                    kst_datetime(started)
                ));
            }
        }
        let token = body.as_ref().and_then(|b| parse_token(b, started));
        // Taken, a token that expires as it arrives would be issued again at the next call,
        // which KIS refuses within the minute: the caller would see that refusal, not this.
        let dead = token.as_ref().is_some_and(|t| t.expires_at <= started);
        if let Some(t) = token.as_ref().filter(|_| dead) {
            // Not used, but a secret all the same in the body the error and the log show.
            self.shared.tokens.add(&t.access_token);
        }
        let token = token.filter(|_| !dead);
        let Some(token) = token else {
            self.emit(ev);
            // The body of a failed tokenP answer holds no token; it is safe to show, redacted.
            let body = self.redact(&resp.body);
            let mut e = oauth_failure(TOKEN_PATH, "token", "access_token", resp.status, &c)
                .with_body(&body);
            if dead {
                e.message = "KIS issued a token that expires as it arrives (its expires_in is 0 \
                             or less); it is not used"
                    .to_string();
            }
            if c.verdict == Verdict::IssueThrottled {
                e = e.with_retry_after(MIN_ISSUE_GAP_MS as u64);
            }
            return Err(self.scrub(in_kis_words(e, &c)));
        };
        self.shared.tokens.add(&token.access_token);
        ev.reason = Some(if after_rejection {
            "refreshed"
        } else {
            "issued"
        });
        self.emit(ev);
        *self.shared.token.borrow_mut() = Some(token.clone());
        let stored = StoredToken {
            access_token: token.access_token.clone(),
            expires_at: token.expires_at,
            issued_at: token.issued_at,
        };
        self.write_stored(&stored).await;
        Ok(token)
    }
}

/// Whole milliseconds, rounded up; `ms` is positive.
fn ceil_ms(ms: f64) -> u64 {
    ms.ceil() as u64
}

#[cfg(test)]
mod tests {
    use super::ceil_ms;

    #[test]
    fn retry_after_rounds_up_to_whole_milliseconds() {
        assert_eq!(ceil_ms(59_000.0), 59_000);
        assert_eq!(ceil_ms(58_999.2), 59_000);
        assert_eq!(ceil_ms(0.4), 1);
    }
}
