//! What std's prelude gives and a `no_std` build lacks, and the crate's own text builders
//! (`text`, in place of `format!`): every module starts with `use crate::prelude::*;`.

pub(crate) use crate::text::{cat, num};
pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
