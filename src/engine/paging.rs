//! B7: list TRs continue while the response header `tr_cont` is F or M; the next page is asked
//! with `tr_cont: N` and the previous body's continuation keys, echoed byte for byte.

use crate::engine::call::{Call, Reply};
use crate::engine::core::KisCore;
use crate::engine::transport::{Clock, TokenStore, Transport};
use crate::error::{ErrorKind, KisError, Result};
use crate::query::set;
use crate::row::Object;

/// KIS's own sample stops at 10; a balance of 50 pages is 2,500 holdings, past any personal
/// account, so hitting this means the server is looping.
pub const MAX_PAGES: usize = 50;

fn continuation_key(body: &Object, lower: &str) -> String {
    body.string(lower)
        .or_else(|| body.string(&lower.to_ascii_uppercase()))
        .map(String::from)
        .unwrap_or_default()
}

/// KIS signalling more pages where there can be none: failed rather than answered with some of
/// the rows (a balance missing holdings) or the same rows twice.
fn looping(call: &Call, why: String) -> KisError {
    KisError::new(
        ErrorKind::Api,
        format!("KIS {} kept signalling more pages {why}", call.path),
    )
    .with_request(&call.path, &call.tr_id)
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    pub async fn all_pages(&self, first: Call) -> Result<Vec<Reply>> {
        let mut call = first;
        let mut pages = Vec::new();
        loop {
            let reply = self.call_plain(&call).await?;
            let more = matches!(reply.tr_cont.as_str(), "F" | "M");
            // Every continuation key the request carries (`CTX_AREA_FK100`, `…NK200`, …), as
            // the answer names it in lower case.
            let keys: Vec<(String, String)> = {
                let body = reply.object();
                call.query
                    .iter()
                    .filter(|(k, _)| k.starts_with("CTX_AREA_"))
                    .map(|(k, _)| {
                        let lower = k.to_ascii_lowercase();
                        (k.clone(), continuation_key(&body, &lower))
                    })
                    .collect()
            };
            pages.push(reply);
            if !more {
                return Ok(pages);
            }
            if pages.len() >= MAX_PAGES {
                return Err(looping(&call, format!("after {}", MAX_PAGES as u64)));
            }
            // A next page asked exactly as the last one was would be answered with that page
            // again, to MAX_PAGES: KIS is looping, and each request spends the rate limit.
            let same = call.tr_cont == "N"
                && keys
                    .iter()
                    .all(|(k, v)| call.query.iter().any(|(qk, qv)| qk == k && qv == v));
            if same {
                let why = format!(
                    "after page {} with the continuation keys of the page before, so the next \
                     would repeat it",
                    pages.len() as u64
                );
                return Err(looping(&call, why));
            }
            call.tr_cont = "N".to_string();
            for (k, v) in keys {
                set(&mut call.query, &k, &v);
            }
        }
    }
}
