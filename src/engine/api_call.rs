//! The generic call path: any catalogued KIS REST API (`crate::catalogue`) by its method name or
//! path, with KIS's own parameter names, under every policy of a typed method — headers, TR ID
//! per environment, token, rate limit, retries of reads, never a blind resend of a POST, secrets
//! masked. Checked before anything is sent: the API exists (and is offered in this environment),
//! every parameter is one of its own and a string, every required one is there.

use serde_json::{Map, Value};

use crate::catalogue::{self, Endpoint, TrIdOption};
use crate::engine::call::{Body, Call, CallKind, RawReply, Reply};
use crate::engine::core::KisCore;
use crate::engine::sending::Terms;
use crate::engine::transport::{Clock, Method, TokenStore, Transport};
use crate::env::Env;
use crate::error::{KisError, Result};
use crate::input::read;
use crate::inputs::CallOptions;

/// Parameters the client fills itself when the caller leaves them out: the account, from
/// `options.account`, and continuation keys, empty on a first page.
fn filled_by_client(name: &str) -> bool {
    matches!(name, "CANO" | "ACNT_PRDT_CD") || name.starts_with("CTX_AREA_")
}

fn listed(options: &[TrIdOption]) -> String {
    options
        .iter()
        .map(|o| match o.when {
            "" => o.id.to_string(),
            when => format!("{} ({})", o.id, when.replace('_', " ")),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The TR ID for `env`: the only one, or the one `asked` names among several.
fn tr_id(e: &Endpoint, env: Env, asked: Option<&str>) -> Result<&'static str> {
    let Some(options) = e.tr_ids(env) else {
        return Err(KisError::validation(
            "api",
            format!(
                "{} ({}) is not offered by KIS in the mock environment; it needs env \"real\"",
                e.name, e.path
            ),
        ));
    };
    match (asked, options) {
        (Some(id), _) => options
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.id)
            .ok_or_else(|| {
                KisError::validation(
                    "options.trId",
                    format!(
                        "must be one of {}'s TR IDs in {}: {}",
                        e.name,
                        env.as_str(),
                        listed(options)
                    ),
                )
            }),
        (None, [only]) => Ok(only.id),
        (None, _) => Err(KisError::validation(
            "options.trId",
            format!(
                "is required: {} has several TR IDs in {}, {}",
                e.name,
                env.as_str(),
                listed(options)
            ),
        )),
    }
}

/// Pages' bodies as one: rows (arrays) joined in order, anything else as the last page has it.
fn joined(pages: Vec<Value>) -> Value {
    let mut out = Map::new();
    for page in pages {
        let Value::Object(fields) = page else {
            continue;
        };
        for (k, v) in fields {
            match (out.get_mut(&k), v) {
                (Some(Value::Array(rows)), Value::Array(more)) => rows.extend(more),
                (_, v) => {
                    out.insert(k, v);
                }
            }
        }
    }
    Value::Object(out)
}

impl<T: Transport, C: Clock, S: TokenStore> KisCore<T, C, S> {
    /// A curated method's call of catalogued API `name`, whose only TR ID in each environment
    /// it takes, with `given` parameters (the rest as `call` fills them).
    pub(crate) fn catalogued(&self, name: &str, given: &[(&str, &str)]) -> Result<Call> {
        let e = catalogue::find(name).ok_or_else(|| {
            KisError::validation("api", format!("{name} is not in this build's catalogue"))
        })?;
        let given: Map<String, Value> = given
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect();
        let tr_id = tr_id(e, self.cfg.env, None)?;
        self.build_call(e, &given, tr_id)
    }

    /// Refuses `tr_id` for a `request()` to catalogued `path` when it is one of the API's TR IDs
    /// of the other environment and none of this one's (a real ID sent by a mock client): KIS
    /// would answer only "없는 서비스 코드" (OPSQ0002). A TR ID the catalogue does not know goes
    /// through, since `request()` is the way to a TR KIS added since; so does one of an API the
    /// workbook says the mock does not offer, which `request()` leaves to KIS to say.
    pub(crate) fn check_request_tr(&self, path: &str, tr_id: &str) -> Result<()> {
        let Some(e) = catalogue::find(path) else {
            return Ok(());
        };
        let other = match self.cfg.env {
            Env::Real => Env::Mock,
            Env::Mock => Env::Real,
        };
        let (Some(own), Some(other)) = (e.tr_ids(self.cfg.env), e.tr_ids(other)) else {
            return Ok(());
        };
        let has = |o: &[TrIdOption]| o.iter().any(|t| t.id == tr_id);
        if has(own) || !has(other) {
            return Ok(());
        }
        Err(KisError::validation(
            "request.trId",
            format!(
                "{tr_id} is {}'s TR ID in the other environment; in {} it is {}",
                e.name,
                self.cfg.env.as_str(),
                listed(own)
            ),
        ))
    }

    /// The TR ID catalogued list `path` is called under in this environment: `tr_id`, or for ""
    /// its first (KIS's current one, where it has one for older data too); None where KIS does
    /// not offer it here (most lists of reserved orders, in the mock environment).
    pub(crate) fn listing_tr(&self, path: &str, tr_id: &str) -> Option<&'static str> {
        let e = catalogue::find(path)?;
        let offered = e.tr_ids(self.cfg.env).and_then(|o| match tr_id {
            "" => o.first(),
            id => o.iter().find(|t| t.id == id),
        });
        offered.map(|t| t.id)
    }

    /// The call of catalogued list `path` with `given` parameters, under `tr_id`, the TR ID
    /// [`Self::listing_tr`] gave.
    pub(crate) fn listing_call(
        &self,
        path: &str,
        tr_id: &str,
        given: &Map<String, Value>,
    ) -> Result<Call> {
        let e = catalogue::find(path).ok_or_else(|| {
            KisError::validation("api", format!("{path} is not in this build's catalogue"))
        })?;
        self.build_call(e, given, tr_id)
    }

    /// The call of `e` with `given` parameters, checked as `call` promises.
    fn build_call(&self, e: &Endpoint, given: &Map<String, Value>, tr_id: &str) -> Result<Call> {
        for (k, v) in given {
            if !e.params.iter().any(|p| p.name == k) {
                let known: Vec<&str> = e.params.iter().map(|p| p.name).collect();
                return Err(KisError::validation(
                    &format!("params.{k}"),
                    format!(
                        "is not a parameter of {} (its parameters: {})",
                        e.name,
                        known.join(", ")
                    ),
                ));
            }
            if !v.is_string() {
                return Err(KisError::validation(
                    &format!("params.{k}"),
                    "must be a string (KIS takes every parameter as a string)",
                ));
            }
        }
        let account = self.cfg.account.as_ref();
        let mut values: Vec<(String, String)> = Vec::with_capacity(e.params.len());
        for p in &e.params {
            let value = match (given.get(p.name).and_then(Value::as_str), p.name, account) {
                (Some(v), _, _) => v.to_string(),
                (None, "CANO", Some(a)) => a.cano.clone(),
                (None, "ACNT_PRDT_CD", Some(a)) => a.product.clone(),
                (None, name, None) if p.required && matches!(name, "CANO" | "ACNT_PRDT_CD") => {
                    return Err(KisError::validation(
                        "options.account",
                        format!("is required for {}, an account API", e.name),
                    ))
                }
                (None, name, _) if p.required && !filled_by_client(name) => {
                    return Err(KisError::validation(
                        &format!("params.{name}"),
                        format!(
                            "is required by {} (KIS's name; \"\" where it may be empty)",
                            e.name
                        ),
                    ))
                }
                // B9: every documented parameter goes out, an empty one as "".
                (None, _, _) => String::new(),
            };
            values.push((p.name.to_string(), value));
        }
        Ok(if e.post {
            let body: Map<String, Value> = values
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect();
            Call {
                method: Method::Post,
                path: e.path.to_string(),
                tr_id: tr_id.to_string(),
                query: Vec::new(),
                body: Some(Value::Object(body).to_string()),
                tr_cont: String::new(),
                // Never resent once it may have reached KIS; ambiguous → orderStatusUnknown.
                kind: CallKind::Write,
                keep_text: false,
                ahead: false,
            }
        } else {
            Call {
                method: Method::Get,
                path: e.path.to_string(),
                tr_id: tr_id.to_string(),
                query: values,
                body: None,
                tr_cont: String::new(),
                kind: CallKind::Read,
                keep_text: false,
                ahead: false,
            }
        })
    }

    /// `call(api, params, options)`.
    pub async fn call_api(&self, api: &Value, params: &Value, options: &Value) -> Result<RawReply> {
        let name = read::<String>("api", api)?;
        let e = catalogue::find(&name).ok_or_else(|| {
            KisError::validation(
                "api",
                format!(
                    "is not a KIS API of the catalogue: \"{name}\" (a method name such as \
                     domesticStockInquirePrice, or its /uapi/ path)"
                ),
            )
        })?;
        let options = read::<Option<CallOptions>>("options", options)?.unwrap_or_default();
        let empty = Map::new();
        let given = match params {
            Value::Object(given) => given,
            Value::Null => &empty,
            _ => {
                return Err(KisError::validation(
                    "params",
                    "must be an object of KIS's parameters",
                ))
            }
        };
        let tr_id = tr_id(e, self.cfg.env, options.tr_id.as_deref())?;
        let all_pages = options.all_pages.unwrap_or(false) && !e.post;
        // One answer is handed on as it came; pages are read for their keys and joined.
        let call = Call {
            keep_text: !all_pages,
            ahead: false,
            ..self.build_call(e, given, tr_id)?
        };
        if all_pages {
            let pages = self
                .all_pages(call)
                .await?
                .iter()
                .map(Reply::value)
                .collect();
            return Ok(RawReply {
                status: 200,
                tr_cont: String::new(),
                body: Body::Made(joined(pages)),
            });
        }
        // Its terms are checked whatever the account; the lookup reads this client's account's
        // list, so an order of another account, named in its parameters, is only never resent.
        let terms = Terms::of_call(&call.path, &call.tr_id, params, "params")?
            .filter(|_| self.is_own_account(params, true));
        self.send_looked_up(call, terms).await
    }
}
