//! How the CLI gets its memory from the kernel (Linux with glibc; elsewhere the allocator's defaults stand).
//!
//! A big group-by touches hundreds of megabytes once: hash tables, key and state columns, shuffle blocks. Each
//! first touch of a 4 KB page is a page fault, and in a virtual machine a fault is dear — a fifth of the hourly
//! group-by's time went to the kernel here. Two settings cut that down: freed memory is kept for the next batch instead
//! of being handed back, and the main heap is backed by 2 MB pages (one fault where there were 512).

/// The glibc setting, read once as a program starts, that backs the heap with huge pages.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TUNABLES: &str = "GLIBC_TUNABLES";

/// glibc backs its main heap and its separately mapped big blocks with 2 MB pages (transparent huge pages, where
/// the kernel allows them) when started with `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`; the heaps it gives other
/// threads stay on 4 KB pages (glibc 2.36; `/proc/<pid>/smaps` shows no `hg` flag on them). Tunables are read only as a program starts, so the CLI starts itself
/// again with that setting — unless whoever started it set tunables of their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn restart_on_huge_pages() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(TUNABLES).is_some() {
        return;
    }
    let Ok(program) = std::env::current_exe() else { return };
    let mut args = std::env::args_os();
    let name = args.next().unwrap_or_else(|| program.clone().into_os_string());
    // `exec` returns only if the program could not be started again; it then goes on as it is.
    let _ = std::process::Command::new(program).arg0(name).args(args).env(TUNABLES, "glibc.malloc.hugetlb=1").exec();
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn restart_on_huge_pages() {}

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
