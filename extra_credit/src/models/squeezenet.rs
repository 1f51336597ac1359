//! SqueezeNet 1.1 feature layers with torchvision's names (`features.0`,
//! `features.3.squeeze`, …), pretrained weights loaded with every tensor's
//! shape checked, and frozen feature extraction (global average of fire9).

use crate::Result;
use image::RgbImage;
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

/// Channels of the feature output (fire9).
pub const FEATURES: i64 = 512;
/// Input side the network was trained at.
pub const INPUT_SIZE: u32 = 227;

/// Where to get the weights, for the "missing file" message.
pub const WEIGHTS_HINT: &str = "it is ../shared/data/weights/squeezenet_v1.1_features.safetensors, or convert torchvision's squeezenet1_1-b8a52dc0.pth (https://download.pytorch.org/models/squeezenet1_1-b8a52dc0.pth) with extra_credit/scripts/convert_torchvision_squeezenet.py";

/// How the pretrained weights expect their input.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
pub enum InputNorm {
    /// The original DeepScale/Caffe release (../shared/data/weights):
    /// BGR, 0–255, minus the mean (104, 117, 123).
    #[default]
    Caffe,
    /// torchvision's `squeezenet1_1-*.pth` (converted with
    /// scripts/convert_torchvision_squeezenet.py): RGB in [0, 1], ImageNet mean/std.
    Torchvision,
}

/// Pools are 3×3 stride 2, rounding up as in Caffe and torchvision.
fn pool(x: &Tensor) -> Tensor {
    x.max_pool2d([3, 3], [2, 2], [0, 0], [1, 1], true)
}

/// A fire module: 1×1 squeeze, then 1×1 and 3×3 expands concatenated.
fn fire(p: nn::Path, c_in: i64, squeeze: i64, expand: i64) -> impl nn::Module {
    let pad1 = nn::ConvConfig {
        padding: 1,
        ..Default::default()
    };
    let s = nn::conv2d(&p / "squeeze", c_in, squeeze, 1, Default::default());
    let e1 = nn::conv2d(&p / "expand1x1", squeeze, expand, 1, Default::default());
    let e3 = nn::conv2d(&p / "expand3x3", squeeze, expand, 3, pad1);
    nn::func(move |x| {
        let x = x.apply(&s).relu();
        Tensor::cat(&[x.apply(&e1).relu(), x.apply(&e3).relu()], 1)
    })
}

/// The feature layers of SqueezeNet 1.1 under `p` (use `vs.root()` so the
/// names are `features.*`). Output (N, 512, 13|14, 13|14) for 227×227 input.
pub fn features(p: &nn::Path) -> nn::SequentialT {
    let f = p / "features";
    let conv1 = nn::ConvConfig {
        stride: 2,
        ..Default::default()
    };
    nn::seq_t()
        .add(nn::conv2d(&f / "0", 3, 64, 3, conv1))
        .add_fn(|x| pool(&x.relu()))
        .add(fire(&f / "3", 64, 16, 64))
        .add(fire(&f / "4", 128, 16, 64))
        .add_fn(pool)
        .add(fire(&f / "6", 128, 32, 128))
        .add(fire(&f / "7", 256, 32, 128))
        .add_fn(pool)
        .add(fire(&f / "9", 256, 48, 192))
        .add(fire(&f / "10", 384, 48, 192))
        .add(fire(&f / "11", 384, 64, 256))
        .add(fire(&f / "12", 512, 64, 256))
}

/// Loads a safetensors file into `vs` with every tensor's name and shape
/// checked first ([`crate::checkpoint::load_checked`]); a missing file is
/// named with where to get it.
pub fn load_checked(vs: &mut nn::VarStore, path: &Path) -> Result<()> {
    crate::error::require(path, "the SqueezeNet 1.1 weights file", WEIGHTS_HINT)?;
    crate::checkpoint::load_checked(vs, path)
}

/// Images (centre squares at [`INPUT_SIZE`]) → network input.
pub fn to_input(images: &[RgbImage], norm: InputNorm) -> Tensor {
    match norm {
        InputNorm::Torchvision => crate::data::images::to_tensor(images),
        InputNorm::Caffe => {
            let bgr = crate::data::images::to_rgb_255(images).flip([1]);
            bgr - Tensor::from_slice(&[104f32, 117., 123.]).view([1, 3, 1, 1])
        }
    }
}

/// Frozen features of every image: fire9 averaged over space, (N, 512).
/// With `flipped`, the left-right mirror images are used instead.
pub fn extract(
    net: &impl ModuleT,
    images: &[RgbImage],
    norm: InputNorm,
    flipped: bool,
    device: Device,
    label: &str,
) -> Tensor {
    const BATCH: usize = 32;
    let bar = ProgressBar::new(images.len() as u64).with_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {elapsed}<{eta}")
            .expect("valid template"),
    );
    bar.set_prefix(format!("SqueezeNet features, {label}"));
    let parts: Vec<Tensor> = images
        .chunks(BATCH)
        .map(|chunk| {
            let mut x = to_input(chunk, norm);
            if flipped {
                x = x.flip([3]);
            }
            let f = tch::no_grad(|| {
                net.forward_t(&x.to_device(device), false)
                    .adaptive_avg_pool2d([1, 1])
                    .flatten(1, -1)
                    .to_device(Device::Cpu)
            });
            bar.inc(chunk.len() as u64);
            f
        })
        .collect();
    bar.finish_and_clear();
    if parts.is_empty() {
        return Tensor::zeros([0, FEATURES], (Kind::Float, Device::Cpu));
    }
    Tensor::cat(&parts, 0)
}
