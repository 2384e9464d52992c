//! How the CLI gets its memory from the kernel (Linux with glibc; elsewhere the allocator's defaults stand).
//!
//! A big group-by touches hundreds of megabytes once: hash tables, key and state columns, shuffle blocks. Each
//! first touch of a 4 KB page is a page fault, and in a virtual machine a fault is dear — a fifth of the hourly
//! group-by's time went to the kernel here. Keeping freed memory for the next batch, instead of handing it back,
//! cuts that down.

/// Tasks allocate and free a batch's buffers thousands of times. By default glibc hands freed memory at the top of
/// the heap back to the kernel (and big buffers are mapped one by one), so the next batch faults the same pages in
/// again: a tenth of a broadcast join's time went to the kernel. Keeping freed memory for reuse removes that.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn keep_freed_memory() {
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    const TRIM_THRESHOLD: libc::c_int = 1 << 30;
    // SAFETY: mallopt only changes allocator settings; it is called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn keep_freed_memory() {}
