//! `kindling`: Kindling's engine on the command line.

mod commands;
mod generate;
mod master;
mod submit;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(commands::CliError::Program(traceback)) => {
            eprintln!("{traceback}");
            ExitCode::FAILURE
        }
        Err(commands::CliError::Exit(code)) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(commands::CliError::ExitWithMessage(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Tasks allocate and free a batch's buffers thousands of times. By default glibc hands freed memory at the top of
/// the heap back to the kernel (and big buffers are mapped one by one), so the next batch faults the same pages in
/// again: a tenth of a broadcast join's time went to the kernel. Keeping freed memory for reuse removes that.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    const MMAP_THRESHOLD: libc::c_int = 32 << 20;
    const TRIM_THRESHOLD: libc::c_int = 1 << 30;
    // SAFETY: mallopt only changes allocator settings; it is called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}
