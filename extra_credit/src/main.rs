//! `extra_credit`: convolutional networks on libtorch. Each subcommand trains,
//! writes figures (PNG), checkpoints and `summary.json` under `--out`.

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use extra_credit::data::images::BadImages;
use extra_credit::device::DeviceChoice;
use extra_credit::models::squeezenet::InputNorm;
use extra_credit::tasks::{self, image_pair, RunOptions};
use gradink::options;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    version,
    about = "CNNs on libtorch: NIST36, CIFAR-10, SUN scenes, flowers17 fine-tuning"
)]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// The main crate's 1024-64-36 sigmoid network on NIST36, in tch.
    #[command(name = "nist36-fc")]
    Nist36Fc {
        /// Folder with nist36_{train,valid,test}.mat
        /// [default: data/nist36 when it is there, else data/nist36_standin].
        #[arg(long)]
        data: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// A small CNN on NIST36 (1×32×32 upright), compared with nist36-fc.
    #[command(name = "nist36-cnn")]
    Nist36Cnn {
        /// Folder with nist36_{train,valid,test}.mat
        /// [default: data/nist36 when it is there, else data/nist36_standin].
        #[arg(long)]
        data: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
    /// A CNN on CIFAR-10 (binary version: data_batch_1.bin … test_batch.bin).
    Cifar10 {
        /// The cifar-10-batches-bin folder.
        #[arg(long, default_value = "../shared/data/cifar-10-batches-bin")]
        data: PathBuf,
        #[command(flatten)]
        common: Common,
    },
    /// SUN scenes (8 classes): SqueezeNet features + linear head vs CNN from scratch.
    Sun {
        /// Folder with train_files.txt, train_labels.txt, test_files.txt, test_labels.txt.
        #[arg(long, default_value = "../shared/data/sun_hw1")]
        data: PathBuf,
        #[command(flatten)]
        pretrained: Pretrained,
        /// Bag-of-visual-words test accuracy to compare with (a fraction, e.g. 0.62).
        #[arg(long, value_parser = options::fraction)]
        bow_acc: Option<f64>,
        #[command(flatten)]
        common: Common,
    },
    /// Oxford flowers17: fine-tuned SqueezeNet head vs CNN from scratch.
    Flowers17 {
        /// Folder with class folders 0 … 16.
        #[arg(long, default_value = "../shared/data/flowers17")]
        data: PathBuf,
        #[command(flatten)]
        pretrained: Pretrained,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Args)]
struct Common {
    /// Output folder for figures, checkpoints and summary.json [default: out/<subcommand>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Training epochs (of the from-scratch CNN for sun/flowers17) [default: per task].
    #[arg(long, value_parser = options::epochs)]
    epochs: Option<usize>,
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
    /// Seeds libtorch and the splits, shuffles and augmentation.
    #[arg(long, default_value_t = 16720)]
    seed: u64,
    /// Accept this run into --out even if a model there scores better on
    /// this run's validation split, or the run blew up.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct Pretrained {
    /// SqueezeNet 1.1 feature weights (safetensors, torchvision names).
    #[arg(
        long,
        default_value = "../shared/data/weights/squeezenet_v1.1_features.safetensors"
    )]
    weights: PathBuf,
    /// Input convention of the weights: caffe (the DeepScale release) or torchvision.
    #[arg(long, value_enum, default_value_t = InputNorm::Caffe)]
    input_norm: InputNorm,
    /// Epochs of the linear head on the frozen features.
    #[arg(long, default_value_t = image_pair::HEAD_EPOCHS, value_parser = options::epochs)]
    head_epochs: usize,
    /// Skip photos that cannot be decoded (with a warning; listed in the
    /// summary) instead of stopping at the first.
    #[arg(long)]
    skip_bad_images: bool,
}

impl Common {
    fn options(&self, task: &str, data: PathBuf) -> Result<RunOptions> {
        println!("data: {}", data.display());
        let out = self
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("out").join(task));
        if out.exists() && !out.is_dir() {
            anyhow::bail!(
                "--out must be a folder (for figures, checkpoints and summary.json); {} is a file",
                out.display()
            );
        }
        Ok(RunOptions {
            data,
            out,
            epochs: self.epochs,
            device: self.device.resolve()?,
            seed: self.seed,
            force: self.force,
            bad_images: BadImages::Refuse,
        })
    }
}

impl Pretrained {
    fn bad_images(&self) -> BadImages {
        if self.skip_bad_images {
            BadImages::Skip
        } else {
            BadImages::Refuse
        }
    }

    fn config(&self, epochs: Option<usize>) -> image_pair::PairConfig {
        image_pair::PairConfig {
            scratch_epochs: epochs.unwrap_or(image_pair::SCRATCH_EPOCHS),
            head_epochs: self.head_epochs,
            input_norm: self.input_norm,
        }
    }
}

/// NIST36 when `--data` is not given: the course's files in `data/nist36`
/// (from `bash data/get-data.sh`) when they are there, else the stand-in
/// shipped in `data/nist36_standin` (from the working folder, else from the
/// repository this crate sits in).
fn nist36_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let found = ["data/nist36", "data/nist36_standin"]
            .into_iter()
            .flat_map(|d| [PathBuf::from(d), repository.join(d)])
            .find(|d| d.join("nist36_train.mat").exists());
        found.unwrap_or_else(|| PathBuf::from("data/nist36_standin"))
    })
}

fn run(cli: Cli) -> Result<PathBuf> {
    let out = match cli.task {
        Task::Nist36Fc { data, common } => {
            let o = common.options("nist36-fc", nist36_dir(data))?;
            tasks::nist36::run_fc(&o)?;
            o.out
        }
        Task::Nist36Cnn { data, common } => {
            let o = common.options("nist36-cnn", nist36_dir(data))?;
            tasks::nist36::run_cnn(&o)?;
            o.out
        }
        Task::Cifar10 { data, common } => {
            let o = common.options("cifar10", data)?;
            tasks::cifar10::run(&o)?;
            o.out
        }
        Task::Sun {
            data,
            pretrained,
            bow_acc,
            common,
        } => {
            let mut o = common.options("sun", data)?;
            o.bad_images = pretrained.bad_images();
            tasks::sun::run(
                &o,
                &pretrained.weights,
                &pretrained.config(o.epochs),
                bow_acc,
            )?;
            o.out
        }
        Task::Flowers17 {
            data,
            pretrained,
            common,
        } => {
            let mut o = common.options("flowers17", data)?;
            o.bad_images = pretrained.bad_images();
            tasks::flowers17::run(&o, &pretrained.weights, &pretrained.config(o.epochs))?;
            o.out
        }
    };
    Ok(out)
}

/// Ends the process at once, without exit-time destructors: libtorch's
/// would tear down its state under the training thread, which then panics
/// ("Invalid (backend, op) pair") while Ctrl-C's message is being printed.
fn exit_now(code: i32) -> ! {
    use std::io::Write;
    let _ = std::io::stderr().flush();
    let _ = std::io::stdout().flush();
    // SAFETY: `_exit` takes no pointers and never returns; skipping the
    // destructors is the point (every file this process writes is written
    // atomically, and the staging folder was already removed).
    unsafe { libc::_exit(code) }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C while training abandons the run's staging folder and leaves
    // --out as the last complete run left it (docs/robustness.md).
    gradink::interrupt::install_with_exit(exit_now);
    match run(cli) {
        Ok(out) => {
            eprintln!(
                "wrote figures, checkpoints and summary.json to {}",
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            let hint = match e.downcast_ref::<extra_credit::Error>() {
                Some(extra_credit::Error::BadImage(_)) => {
                    " (pass --skip-bad-images to skip such photos with a warning)"
                }
                _ => "",
            };
            eprintln!("error: {e:#}{hint}");
            ExitCode::FAILURE
        }
    }
}
