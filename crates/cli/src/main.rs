//! `kindling`: Kindling's engine on the command line.

mod commands;
mod generate;
mod master;
mod memory;
mod submit;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    memory::restart_on_huge_pages();
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
