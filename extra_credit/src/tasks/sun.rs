//! `sun`: the course's 8-class SUN subset with its own train/test lists; 10%
//! of the training list (stratified, seeded) is held out for validation.
//! Fine-tuned SqueezeNet head vs a CNN from scratch, and the bag-of-words
//! figure the user passes.

use super::image_pair::{self, PairConfig, Photos, Summary};
use super::RunOptions;
use crate::data::{images, split, sun};
use crate::{seed_everything, Result};
use std::path::Path;

pub fn run(
    opts: &RunOptions,
    weights: &Path,
    cfg: &PairConfig,
    bow_acc: Option<f64>,
) -> Result<Summary> {
    let train_items = sun::list(&opts.data, "train")?;
    let test_items = sun::list(&opts.data, "test")?;
    image_pair::require_weights(weights)?;
    let train_all = images::decode_all(
        &train_items,
        &image_pair::SIZES,
        "SUN train",
        opts.bad_images,
    )?;
    let test_all =
        images::decode_all(&test_items, &image_pair::SIZES, "SUN test", opts.bad_images)?;
    let mut rng = seed_everything(opts.seed);
    let (tr, va, _) = split::stratified(&train_all.labels, 0.1, 0.0, &mut rng);
    let (train, valid, test) = (
        Photos::select(&train_all, &tr),
        Photos::select(&train_all, &va),
        Photos::all(&test_all),
    );
    let mut skipped = train_all.skipped;
    skipped.extend(test_all.skipped);
    image_pair::run_both(
        opts,
        "sun",
        weights,
        cfg,
        sun::CLASSES.iter().map(|s| s.to_string()).collect(),
        [&train, &valid, &test],
        skipped,
        bow_acc,
    )
}
