//! kis-wasm: a client for the Korea Investment & Securities (KIS) OpenAPI.
//!
//! Layers, data flowing one way (caller → client → policy → transport → KIS):
//! - protocol (pure): [`env`], [`tr_id`], [`account`], [`symbol`], [`headers`], [`order`],
//!   [`query`], [`envelope`], [`numbers`], [`models`], [`kst`];
//! - engine: [`engine`], generic over the transport, clock and token-store traits;
//! - wasm binding: `wasm` (wasm32 only), the only code that touches JS.
//!
//! The shipped wasm is built without std: std's panic machinery formats every panic message,
//! which linked the whole of `core::fmt` into the module. Code here uses `core` and `alloc`
//! (through [`prelude`]), so native builds and tests, which have std, compile the same source.

#![cfg_attr(target_arch = "wasm32", no_std)]
// Tests may format (clippy.toml says why the library does not).
#![cfg_attr(test, allow(clippy::disallowed_macros))]

#[macro_use]
extern crate alloc;

pub mod prelude;

pub mod account;
pub mod cell;
pub mod engine;
pub mod env;
pub mod envelope;
pub mod error;
pub mod events;
pub mod find;
pub mod headers;
pub mod heap;
pub mod input;
pub mod json;
pub mod kst;
pub mod models;
pub mod numbers;
pub mod order;
pub mod query;
pub mod redact;
pub mod sorted;
pub mod symbol;
pub mod text;
pub mod tr_id;

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
#[allow(clippy::disallowed_macros)] // native only: never in the wasm
pub mod testing;

#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;

pub use engine::core::KisCore;
pub use error::{ErrorKind, KisError};
