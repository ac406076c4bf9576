//! The `tradeoff` command: parse the arguments, run the command, report errors with exit codes.

#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let args = tradeoff::cli::Args::parse();
    if let Err(err) = tradeoff::commands::run(args.into_command()) {
        eprintln!("error: {err}");
        std::process::exit(err.exit_code());
    }
}
