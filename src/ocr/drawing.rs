//! Reading one drawn character (a canvas, a photo of one letter): the whole
//! image is one character. Its ink is thinned and redrawn at 32×32 by the
//! same code as a character found on a page (`crop.rs`), then classified.

use super::crop::crop_glyph;
use super::find_letters::Glyph;
use super::page::{working_grey, Grey};
use crate::conv;
use crate::data::{class_name, IMAGE_SIDE};
use crate::functional as F;
use crate::models::{cnn, AnyClassifier, Cnn, Predict};
use image::DynamicImage;
use ndarray::{Array2, Array4, ArrayView1, Ix4};

/// Drawings are block-averaged until their longer side is at most this many
/// pixels (thinning a 4000-pixel canvas would cost time and say no more).
pub const DRAWING_SIDE: usize = 512;

/// A drawing has no shadows to divide out: ink is any pixel darker than this
/// (grey 0 = black, 1 = white; transparent pixels count as white).
pub const DRAWING_INK: f32 = 0.5;

/// The classifier input for a drawing: 1024 values in stored (column-major,
/// NIST36) order, or `None` when the drawing has no ink.
pub fn drawing_input(image: &DynamicImage) -> Option<Vec<f32>> {
    let long = image.width().max(image.height()) as usize;
    let factor = long.div_ceil(DRAWING_SIDE).max(1);
    let grey = working_grey(image, factor);
    let (labels, glyph) = ink_as_one_glyph(&grey)?;
    Some(crop_glyph(&labels, grey.width, &glyph, false))
}

/// Every ink pixel labelled 1, and one glyph made of them all.
fn ink_as_one_glyph(grey: &Grey) -> Option<(Vec<u32>, Glyph)> {
    let labels: Vec<u32> = grey
        .data
        .iter()
        .map(|&v| u32::from(v < DRAWING_INK))
        .collect();
    let (mut x1, mut y1, mut x2, mut y2, mut area) = (usize::MAX, usize::MAX, 0, 0, 0);
    for (i, &l) in labels.iter().enumerate() {
        if l == 0 {
            continue;
        }
        let (x, y) = (i % grey.width, i / grey.width);
        (x1, y1, x2, y2) = (x1.min(x), y1.min(y), x2.max(x + 1), y2.max(y + 1));
        area += 1;
    }
    if area == 0 {
        return None;
    }
    let glyph = Glyph::boxed(1, [y1, x1, y2, x2], area);
    Some((labels, glyph))
}

/// What the classifier made of one drawing.
#[derive(Clone, Debug)]
pub struct DrawingReading {
    /// The classifier input as stored (column-major), 1024 values, ink 0.
    pub input: Vec<f32>,
    /// One probability per class (A–Z, then 0–9).
    pub probabilities: Vec<f32>,
    /// What the first layer made of it.
    pub activations: Activations,
}

impl DrawingReading {
    /// The input as an upright 32×32 picture, row-major (row y, column x).
    pub fn upright_input(&self) -> Vec<f32> {
        crate::data::upright(ArrayView1::from(&self.input))
            .iter()
            .copied()
            .collect()
    }

    /// The `k` likeliest classes, likeliest first.
    pub fn top(&self, k: usize) -> Vec<(char, f32)> {
        let mut order: Vec<usize> = (0..self.probabilities.len()).collect();
        order.sort_by(|&a, &b| self.probabilities[b].total_cmp(&self.probabilities[a]));
        order
            .into_iter()
            .take(k)
            .map(|c| (class_name(c), self.probabilities[c]))
            .collect()
    }
}

/// The first layer's response to one input.
#[derive(Clone, Debug)]
pub enum Activations {
    /// An MLP's hidden units (after the sigmoid), one value each in [0, 1].
    Hidden(Vec<f32>),
    /// A CNN's first convolution after its ReLU: `maps` upright `side × side`
    /// pictures, row-major, one after the other.
    FeatureMaps {
        maps: usize,
        side: usize,
        values: Vec<f32>,
    },
}

/// Reads a drawing of one character with `model`; `None` when it has no ink.
pub fn read_drawing(image: &DynamicImage, model: &AnyClassifier) -> Option<DrawingReading> {
    let input = drawing_input(image)?;
    let row = Array2::from_shape_vec((1, input.len()), input.clone()).expect("1024 values");
    // Averaged over one-pixel shifts, as the reader reads a photo's crops.
    let probabilities = crate::models::ShiftAveraged(model)
        .predict_proba(row.view())
        .row(0)
        .to_vec();
    let activations = first_layer(model, &row);
    Some(DrawingReading {
        input,
        probabilities,
        activations,
    })
}

/// The first layer of `model` on rows of stored pixels (only the first row is kept).
fn first_layer(model: &AnyClassifier, row: &Array2<f32>) -> Activations {
    match model {
        AnyClassifier::Mlp(m) => {
            let h = F::sigmoid(m.hidden.apply(&m.params, row.view()).view());
            Activations::Hidden(h.row(0).to_vec())
        }
        AnyClassifier::Cnn(m) => feature_maps(m, row),
        AnyClassifier::Ensemble(e) => feature_maps(e.first(), row),
    }
}

/// The first convolution's maps (after ReLU) of `m` on the first row.
fn feature_maps(m: &Cnn<f32>, row: &Array2<f32>) -> Activations {
    let side = cnn::SIDE;
    // The CNN's own view of a row: ink = 1 − pixel, in stored order
    // (so its maps are transposed pictures; turned upright below).
    let ink: Array4<f32> = row
        .row(0)
        .mapv(|v| 1.0 - v)
        .into_shape_with_order((1, 1, side, side))
        .expect("1024 values");
    let w = m
        .params
        .get("conv1.weight")
        .and_then(|w| w.view().into_dimensionality::<Ix4>().ok())
        .expect("checked when loaded");
    let b = m.params.get("conv1.bias").expect("checked when loaded");
    let y = conv::conv2d(ink.view(), w, 1, 1);
    let maps = y.shape()[1];
    let mut values = Vec::with_capacity(maps * side * side);
    for k in 0..maps {
        let bias = b.iter().nth(k).copied().unwrap_or(0.0);
        for r in 0..side {
            for c in 0..side {
                // Stored order is transposed: picture (r, c) is map (c, r).
                values.push((y[[0, k, c, r]] + bias).max(0.0));
            }
        }
    }
    Activations::FeatureMaps { maps, side, values }
}

const _: () = assert!(IMAGE_SIDE == cnn::SIDE);
