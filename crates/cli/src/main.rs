//! `kindling`: Kindling's engine on the command line.

mod commands;
mod generate;
mod master;
mod memory;
mod submit;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    stop_quietly_when_the_reader_leaves();
    memory::keep_freed_memory();
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

/// `kindling run q.sql | head` must end quietly once `head` has its lines, like any command-line tool. Rust
/// programs ignore SIGPIPE, so every later write fails instead and `println!` panics on it; restoring the signal's
/// default action ends the process at that write, as it ends `cat` or `grep`.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn stop_quietly_when_the_reader_leaves() {
    // SAFETY: sets a signal's disposition before any other thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn stop_quietly_when_the_reader_leaves() {}
