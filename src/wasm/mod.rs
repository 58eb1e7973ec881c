//! The wasm binding: the only code that touches JS, through the raw interface of `abi` and the
//! package's own glue (`pkg-templates/glue.mjs`). Each module is one JS concept; all behaviour
//! lives in the engine.

use crate::heap::{Heap, Memory};
use core::alloc::Layout;

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

/// The crate's size-class heap (`crate::heap` says why) over this module's linear memory.
struct Allocator(core::cell::UnsafeCell<Heap>);

// SAFETY: as for `SingleThreaded`: built without `atomics`, the module has one thread.
#[cfg(not(target_feature = "atomics"))]
unsafe impl Sync for Allocator {}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator(core::cell::UnsafeCell::new(Heap::new()));

const PAGE: usize = 65536;

/// Linear memory: first what lies past the data and stack (`__heap_base`) in the initial
/// memory, then pages from `memory.grow`.
struct Linear;

extern "C" {
    static __heap_base: u8;
}

impl Memory for Linear {
    fn more(&mut self, bytes: usize) -> Option<(usize, usize)> {
        static STARTED: SingleThreaded<core::cell::Cell<bool>> =
            SingleThreaded(core::cell::Cell::new(false));
        let end = core::arch::wasm32::memory_size(0) * PAGE;
        if !STARTED.0.replace(true) {
            return Some((core::ptr::addr_of!(__heap_base).addr(), end));
        }
        let pages = bytes.div_ceil(PAGE);
        (core::arch::wasm32::memory_grow(0, pages) != usize::MAX)
            .then_some((end, end + pages * PAGE))
    }
}

// SAFETY: one thread, and no allocation starts while another is running (the heap calls no
// code that allocates), so each `&mut Heap` is alone. Linear memory past `__heap_base` is
// used by nothing else.
unsafe impl core::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let block = unsafe { (*self.0.get()).alloc(layout, &mut Linear) };
        // Out of memory: trap here, as alloc's handler would after formatting a message that
        // goes nowhere (its integer formatting stays linked for its other callers all the same).
        if block.is_null() {
            core::arch::wasm32::unreachable()
        }
        block
    }

    unsafe fn dealloc(&self, block: *mut u8, layout: Layout) {
        unsafe { (*self.0.get()).dealloc(block, layout) }
    }

    unsafe fn realloc(&self, block: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        // SAFETY: GlobalAlloc's contract: `size`, rounded up to `layout.align()`, fits a usize.
        let new = unsafe { Layout::from_size_align_unchecked(size, layout.align()) };
        if Heap::fits(layout, new) {
            return block;
        }
        // `alloc` traps rather than return null.
        unsafe {
            let moved = self.alloc(new);
            core::ptr::copy_nonoverlapping(block, moved, layout.size().min(size));
            self.dealloc(block, layout);
            moved
        }
    }
}

// Without std (lib.rs): a panic traps, as it did with std, whose panic output goes nowhere on
// wasm32-unknown-unknown. The message is never formatted, so no formatting code is linked for it.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
