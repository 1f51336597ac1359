//! `gradink`: train the character classifier, check gradients, and more.
//! Each subcommand lives in its own file.

mod autoencoder;
mod ensemble;
mod evaluate;
mod gradcheck;
mod ocr;
mod parse;
mod progress;
mod report;
#[cfg(feature = "serve")]
mod serve;
mod sweep;
mod synth_pages;
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
    /// Train the image-compressing autoencoder, or measure a saved one with --eval.
    Autoencoder(autoencoder::Args),
    /// Score a saved classifier (MLP, CNN or ensemble) on one split of a NIST-format .mat file.
    Evaluate(evaluate::Args),
    /// Write several CNN files as one reader: the others asked where the first is unsure.
    Ensemble(ensemble::Args),
    /// Read handwritten text out of photos with the shipped (or a given) classifier.
    Ocr(ocr::Args),
    /// Write photo-like pages of held-out handwriting (tilted, slanted, pencil, shadow) and optionally read them.
    SynthPages(synth_pages::Args),
    /// Run everything (gradient check, training, sweep, OCR, autoencoder) and write REPORT.md.
    Report(report::Args),
    /// A local web page: draw a character or drop a photo and watch the network read it (and its JSON API).
    #[cfg(feature = "serve")]
    Serve(serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => {
            gradink::interrupt::install();
            train::run(args)
        }
        Command::Sweep(args) => sweep::run(args),
        Command::Gradcheck(args) => gradcheck::run(args),
        Command::Autoencoder(args) => {
            gradink::interrupt::install();
            autoencoder::run(args)
        }
        Command::Report(args) => report::run(args),
        Command::Ocr(args) => ocr::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Ensemble(args) => ensemble::run(args),
        Command::SynthPages(args) => synth_pages::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
