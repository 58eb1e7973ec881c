//! The wasm binding: the only code that touches JS. Each module is one JS concept; all behaviour
//! lives in the engine.

pub mod client;
mod convert;
mod errors;
mod fetch;
mod helpers;
mod observer;
mod store;
mod timers;
mod types;
