//! `flowers17`: Oxford 17 flowers (17 × 80 photos), a seeded stratified
//! 60/20/20 train/validation/test split; fine-tuned SqueezeNet head vs a CNN
//! from scratch.

use super::image_pair::{self, PairConfig, Photos, Summary};
use super::RunOptions;
use crate::data::{flowers, images, split};
use crate::{seed_everything, Result};
use std::path::Path;

pub fn run(opts: &RunOptions, weights: &Path, cfg: &PairConfig) -> Result<Summary> {
    let (classes, items) = flowers::list(&opts.data)?;
    image_pair::require_weights(weights)?;
    let decoded = images::decode_all(&items, &image_pair::SIZES, "flowers17", opts.bad_images)?;
    let mut rng = seed_everything(opts.seed);
    let (tr, va, te) = split::stratified(&decoded.labels, 0.2, 0.2, &mut rng);
    let (train, valid, test) = (
        Photos::select(&decoded, &tr),
        Photos::select(&decoded, &va),
        Photos::select(&decoded, &te),
    );
    // Name the classes when the folders are the usual 0…16.
    let classes =
        if classes.len() == 17 && classes.iter().enumerate().all(|(i, c)| *c == i.to_string()) {
            flowers::FLOWERS17.iter().map(|s| s.to_string()).collect()
        } else {
            classes
        };
    image_pair::run_both(
        opts,
        "flowers17",
        weights,
        cfg,
        classes,
        [&train, &valid, &test],
        decoded.skipped,
        None,
    )
}
