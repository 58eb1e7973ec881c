//! The module's whole interface to its JS glue (`pkg-templates/glue.mjs`): numbers and UTF-8
//! strings in linear memory, no JS object ever held by Rust. A JS object the engine must keep
//! (a fetch error, for `KisError.cause`) stays in a table of the glue and is named by number.
//!
//! Strings into the module: JS asks `kis_alloc` for `cap` bytes, writes UTF-8 there with
//! `TextEncoder.encodeInto` and passes `(ptr, len, cap)`; the export then owns the buffer
//! ([`take`]). Strings out: Rust passes `(ptr, len)` to an import, which decodes them before it
//! returns. A synchronous export's result goes out through `ret` the same way.

use crate::prelude::*;

#[link(wasm_import_module = "kis")]
extern "C" {
    /// `Date.now()`.
    pub fn now() -> f64;
    /// Sends the request text of [`crate::wasm::fetch`] through client's fetch; answered by
    /// `kis_response` or `kis_failure` with `io`.
    pub fn send(client: u32, io: u32, ptr: *const u8, len: usize);
    /// `setTimeout`; answered by `kis_flag(io, 1)`.
    pub fn sleep(io: u32, ms: f64);
    /// One wait of a token refresher; answered by `kis_flag(io, 1)` after `ms`, or
    /// `kis_flag(io, 0)` at once when the refresher is stopped.
    pub fn tick(ticker: u32, io: u32, ms: f64);
    /// `tokenStore.get(key)`; answered by `kis_text` with the token's JSON or an error message.
    pub fn store_get(client: u32, io: u32, ptr: *const u8, len: usize);
    /// `tokenStore.set(key, token)` of "key\ntoken JSON"; answered by `kis_text`.
    pub fn store_set(client: u32, io: u32, ptr: *const u8, len: usize);
    /// `onEvent(JSON.parse(text))`.
    pub fn event(client: u32, ptr: *const u8, len: usize);
    /// The logger's `warn` (level 0) or `error` (level 1).
    pub fn log(client: u32, level: u32, ptr: *const u8, len: usize);
    /// Resolves (`ok` 1, result JSON) or rejects (`ok` 0, [`crate::wasm::errors`] JSON) the
    /// promise of call `op`.
    pub fn settle(op: u32, ok: u32, ptr: *const u8, len: usize);
    /// The string result of a synchronous export.
    pub fn ret(ptr: *const u8, len: usize);
    /// The glue may forget JS object `handle`.
    pub fn drop_ref(handle: u32);
    /// Calls `kis_run` from a microtask.
    pub fn schedule();
}

/// `cap` bytes for JS to write a string into; align 1, so [`take`] can own them as a Vec.
#[no_mangle]
pub extern "C" fn kis_alloc(cap: usize) -> *mut u8 {
    if cap == 0 {
        return core::ptr::NonNull::dangling().as_ptr();
    }
    // SAFETY: cap is non-zero and 1 is a valid alignment.
    unsafe { alloc::alloc::alloc(core::alloc::Layout::from_size_align_unchecked(cap, 1)) }
}

/// The string JS wrote at `ptr`: `len` bytes of a `kis_alloc(cap)` buffer, now owned here.
/// Not checked as UTF-8: the glue writes with `TextEncoder.encodeInto`, which writes whole
/// chars only, and a check would guard nothing, since JS can write anywhere in this memory.
/// (The check was the last use of core's UTF-8 validation, 0.7 KB of code.)
///
/// # Safety
/// `ptr` came from `kis_alloc(cap)`, holds `len <= cap` bytes of UTF-8 that `encodeInto`
/// wrote, and is taken once: the glue passes each buffer to exactly one export.
pub unsafe fn take(ptr: *mut u8, len: usize, cap: usize) -> String {
    if cap == 0 {
        return String::new();
    }
    // SAFETY: see above; `kis_alloc` used the global allocator with align 1.
    unsafe { String::from_raw_parts(ptr, len, cap) }
}

/// Hands `s` to a synchronous export's caller.
pub fn ret_str(s: &str) {
    // SAFETY: the import reads `len` bytes at `ptr` before returning.
    unsafe { ret(s.as_ptr(), s.len()) }
}
