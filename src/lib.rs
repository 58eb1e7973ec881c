//! kis-wasm: a client for the Korea Investment & Securities (KIS) OpenAPI.
//!
//! Layers, data flowing one way (caller → client → policy → transport → KIS):
//! - protocol (pure): [`env`], [`tr_id`], [`account`], [`symbol`], [`headers`], [`order`],
//!   [`query`], [`envelope`], [`row`], [`numbers`], [`models`], [`kst`], [`input`], [`token`];
//! - engine: [`engine`], generic over the transport, clock and token-store traits;
//! - wasm binding: `wasm` (wasm32 only), the only code that touches JS.

pub mod account;
pub mod catalogue;
pub mod engine;
pub mod env;
pub mod envelope;
pub mod error;
pub mod events;
pub mod headers;
pub mod input;
pub mod inputs;
pub mod kst;
pub mod models;
pub mod numbers;
pub mod order;
pub(crate) mod order_books;
pub mod query;
pub mod realtime;
pub mod redact;
pub mod row;
pub mod symbol;
pub mod token;
pub mod tr_id;

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod testing;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

pub use engine::core::KisCore;
pub use error::{ErrorKind, KisError};
