//! `gradink`: train the character classifier, check gradients, and more.
//! Each subcommand lives in its own file.

mod gradcheck;
mod progress;
mod sweep;
mod train;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "gradink",
    version,
    about = "A small autodiff engine and the handwriting recogniser built on it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train the character classifier on NIST36 and write its figures and summary.
    Train(train::Args),
    /// Train at the best learning rate, 10× and 0.1×, and compare the curves.
    Sweep(sweep::Args),
    /// Check the classifier's analytic gradients against central differences.
    Gradcheck(gradcheck::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Sweep(args) => sweep::run(args),
        Command::Gradcheck(args) => gradcheck::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
