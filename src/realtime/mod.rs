//! KIS's realtime websocket protocol, pure: the frames a client sends and receives, the columns
//! of each TR's data frames (from the catalogue), the decryption of fill notices and the limit on
//! subscriptions. The socket itself is the binding's, injected as `fetch` is.

pub mod backoff;
pub mod cipher;
pub mod columns;
pub mod connection;
pub mod frame;
pub mod liveness;
pub mod options;
pub mod routing;
pub mod session;
pub mod shapes;
pub mod subscriptions;
