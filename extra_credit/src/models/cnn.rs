//! A small CNN of our own design: per entry of `widths`, a block of
//! 3×3 conv (padding 1) → batch norm → ReLU → 2×2 max pool (halving the side),
//! then dropout → FC `hidden` → ReLU → dropout → FC `classes`.
//! Three blocks + two FC layers is the from-scratch model for SUN and flowers.

use tch::nn;

#[derive(Clone, Debug)]
pub struct CnnConfig {
    pub in_channels: i64,
    /// Side of the square input; must be divisible by 2^widths.len().
    pub image_size: i64,
    pub widths: Vec<i64>,
    pub hidden: i64,
    pub classes: i64,
    pub dropout: f64,
}

pub fn small_cnn(p: &nn::Path, cfg: &CnnConfig) -> nn::SequentialT {
    let conv = nn::ConvConfig {
        padding: 1,
        ..Default::default()
    };
    let mut net = nn::seq_t();
    let mut c_in = cfg.in_channels;
    for (i, &c_out) in cfg.widths.iter().enumerate() {
        net = net
            .add(nn::conv2d(
                p / format!("conv{}", i + 1),
                c_in,
                c_out,
                3,
                conv,
            ))
            .add(nn::batch_norm2d(
                p / format!("bn{}", i + 1),
                c_out,
                Default::default(),
            ))
            .add_fn(|x| x.relu().max_pool2d_default(2));
        c_in = c_out;
    }
    let side = cfg.image_size >> cfg.widths.len();
    assert!(
        side > 0,
        "image_size {} is too small for {} blocks",
        cfg.image_size,
        cfg.widths.len()
    );
    let dropout = cfg.dropout;
    net.add_fn(|x| x.flatten(1, -1))
        .add_fn_t(move |x, train| x.dropout(dropout, train))
        .add(nn::linear(
            p / "fc1",
            c_in * side * side,
            cfg.hidden,
            Default::default(),
        ))
        .add_fn(|x| x.relu())
        .add_fn_t(move |x, train| x.dropout(dropout, train))
        .add(nn::linear(
            p / "fc2",
            cfg.hidden,
            cfg.classes,
            Default::default(),
        ))
}
