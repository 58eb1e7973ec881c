//! The wasm binding: the only code that touches JS, through the raw interface of `abi` and the
//! package's own glue (`pkg-templates/glue.mjs`). Each module is one JS concept; all behaviour
//! lives in the engine.

pub mod abi;
mod client;
mod errors;
mod fetch;
mod helpers;
mod observer;
mod store;
mod tasks;
mod timers;

/// A static for this module's one thread. Built without the `atomics` target feature, the module
/// has no other thread to share it with; `thread_local!` would need std.
pub(crate) struct SingleThreaded<T>(pub T);

// SAFETY: see above: no second thread exists to see the value.
unsafe impl<T> Sync for SingleThreaded<T> {}

// Talc in place of std's dlmalloc: smaller and faster, and the module is single-threaded (no
// `atomics` target feature), which is what its dynamic wasm allocator assumes.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

// Without std (lib.rs): a panic traps, as it did with std, whose panic output goes nowhere on
// wasm32-unknown-unknown. The message is never formatted, so no formatting code is linked for it.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
