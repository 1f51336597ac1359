//! `gradink ensemble`: several CNN files written as one reader
//! (`gradink::models::Ensemble`): the first reads every crop, the others
//! too where it is unsure, their outputs averaged.

use anyhow::{bail, Context, Result};
use gradink::models::{AnyClassifier, Cnn, Ensemble};
use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// CNN model files (`gradink train --arch cnn`, or ensembles, whose
    /// members are taken in order); the first is read first.
    #[arg(required = true, num_args = 2..)]
    pub models: Vec<PathBuf>,
    /// Where to write the ensemble (one safetensors file).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace --out if it exists (it is never replaced otherwise).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> Result<()> {
    if args.out.exists() && !args.force {
        bail!("{} exists; give --force to replace it", args.out.display());
    }
    let mut members: Vec<(Cnn<f32>, &PathBuf)> = Vec::new();
    for path in &args.models {
        let loaded = AnyClassifier::load(path)
            .with_context(|| format!("cannot load the member {}", path.display()))?;
        match loaded {
            AnyClassifier::Cnn(m) => members.push((m, path)),
            AnyClassifier::Ensemble(e) => {
                members.extend(e.members().iter().cloned().map(|m| (m, path)))
            }
            AnyClassifier::Mlp(_) => bail!(
                "{} is an MLP; an ensemble is made of CNNs (`gradink train --arch cnn`)",
                path.display()
            ),
        }
    }
    let (first, first_path) = &members[0];
    for (m, path) in &members[1..] {
        if !m.same_outputs(first) {
            bail!(
                "{} has {} and {} {}: an ensemble's members have the same outputs",
                path.display(),
                m.outputs_described(),
                first_path.display(),
                first.outputs_described()
            );
        }
    }
    let count = members.len();
    let ensemble = Ensemble::new(members.into_iter().map(|(m, _)| m).collect(), &args.out)?;
    ensemble
        .save(&args.out)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!("wrote {} ({count} CNNs)", args.out.display());
    Ok(())
}
