//! Counting allocations, for tests that state how many a code path makes.

/// A global allocator that counts allocations per thread, for tests that state how many a code
/// path makes. Install it in a test binary with
/// `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator;`.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

// A global allocator is the one place that needs unsafe: it delegates every call to the system
// allocator unchanged and only counts.
#[allow(unsafe_code)]
// SAFETY: `alloc` and `dealloc` forward to `System` with the caller's arguments.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get().saturating_add(1)));
        // SAFETY: same contract as the caller's.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

/// How many allocations `f` made on this thread (with [`CountingAllocator`] installed).
pub fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(std::cell::Cell::get);
    f();
    ALLOCATIONS.with(std::cell::Cell::get).saturating_sub(before)
}
