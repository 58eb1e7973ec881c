//! The engine: token lifecycle, rate limiting, retries, paging and order reconciliation, generic
//! over the I/O traits in `transport` so that native tests drive it with fakes and a virtual clock.

pub mod api;
pub mod api_call;
pub mod approval;
pub mod call;
pub mod config;
pub mod core;
pub mod orders;
pub mod paging;
pub mod rate_limit;
pub(crate) mod sending;
pub mod shared;
pub mod single_flight;
pub mod token;
pub mod transport;
