//! `gradink gradcheck`: a freshly initialised classifier's analytic
//! gradients against central differences, on a few rows of a NIST-format file.

use crate::data::choice::in_repository;
use crate::data::{gather_rows, load_split, one_hot};
use crate::error::Result;
use crate::gradcheck::{gradcheck as check_gradients, InputCheck, Tolerance};
use crate::models::Classifier;
use std::path::PathBuf;

/// One `gradink gradcheck`; `Default` is the command's defaults.
#[derive(Clone, Debug)]
pub struct GradcheckConfig {
    /// A NIST36-format .mat file with valid_data/valid_labels, looked up
    /// beside the crate when not found here (src/data/choice.rs).
    pub data: PathBuf,
    /// Samples in the batch, spread evenly over the file.
    pub batch: usize,
    pub hidden: usize,
    pub seed: u64,
}

impl Default for GradcheckConfig {
    fn default() -> Self {
        GradcheckConfig {
            data: PathBuf::from("tests/fixtures/nist26_valid_small.mat"),
            batch: 4,
            hidden: 64,
            seed: 0,
        }
    }
}

impl GradcheckConfig {
    /// The file the check reads: `data` as found from here.
    pub fn file(&self) -> PathBuf {
        in_repository(&self.data)
    }
}

/// Checks every parameter of a freshly initialised classifier
/// (`cfg.seed`) on `cfg.batch` samples of [`GradcheckConfig::file`]; one
/// entry per parameter.
pub fn gradcheck(cfg: &GradcheckConfig) -> Result<Vec<InputCheck>> {
    let split = load_split(cfg.file(), "valid")?;
    let step = (split.len() / cfg.batch.max(1)).max(1);
    let idx: Vec<usize> = (0..split.len())
        .step_by(step)
        .take(cfg.batch.max(1))
        .collect();
    let x = gather_rows::<f64>(&split.images, &idx);
    let y = one_hot::<f64>(&split.labels, &idx, split.classes);
    let mut model = Classifier::<f64>::new(x.ncols(), cfg.hidden, split.classes, cfg.seed);
    Ok(check_gradients(
        &mut model,
        Tolerance::default(),
        |tape, m| {
            m.forward(tape.constant(x.clone()))
                .softmax_cross_entropy(&y)
        },
    ))
}
