//! Dataset loaders. Each returns tensors on the CPU: images (N, C, H, W) f32,
//! labels (N,) i64. Training moves mini-batches to the chosen device.

pub mod cifar;
pub mod flowers;
pub mod images;
pub mod nist36;
pub mod split;
pub mod sun;

use std::path::PathBuf;
use tch::{Kind, Tensor};

/// Image files with their class index, as listed by a dataset.
pub type Labelled = Vec<(PathBuf, i64)>;

/// Inputs and integer labels of one split.
#[derive(Debug)]
pub struct Dataset {
    pub x: Tensor,
    pub y: Tensor,
}

impl Dataset {
    pub fn new(x: Tensor, labels: &[i64]) -> Self {
        assert_eq!(x.size()[0], labels.len() as i64, "one label per sample");
        Dataset {
            x,
            y: Tensor::from_slice(labels),
        }
    }

    pub fn len(&self) -> usize {
        self.x.size()[0] as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows at `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> Dataset {
        let idx = Tensor::from_slice(&idx.iter().map(|&i| i as i64).collect::<Vec<_>>());
        Dataset {
            x: self.x.index_select(0, &idx),
            y: self.y.index_select(0, &idx),
        }
    }

    pub fn labels(&self) -> Vec<i64> {
        Vec::<i64>::try_from(&self.y.to_kind(Kind::Int64)).expect("labels are a 1-D tensor")
    }
}
