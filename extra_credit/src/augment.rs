//! Seeded data augmentation on image batches (N, C, H, W): random horizontal
//! flips and random crops from a reflection-padded copy (small shifts).
//! tch's own `vision::dataset::augmentation` draws from an unseeded RNG.

use rand::Rng;
use tch::Tensor;

#[derive(Clone, Copy, Debug, Default)]
pub struct Augment {
    /// Flip left-right with probability 1/2 (scenes, flowers, CIFAR; not letters).
    pub flip: bool,
    /// Shift by up to this many pixels in each direction (0: off).
    pub shift: i64,
}

impl Augment {
    pub fn is_off(&self) -> bool {
        !self.flip && self.shift == 0
    }

    pub fn apply(&self, xs: &Tensor, rng: &mut impl Rng) -> Tensor {
        if self.is_off() {
            return xs.shallow_clone();
        }
        let (n, _c, h, w) = xs.size4().expect("augment expects (N, C, H, W)");
        let p = self.shift;
        let padded = if p > 0 {
            xs.reflection_pad2d([p, p, p, p])
        } else {
            xs.shallow_clone()
        };
        let samples: Vec<Tensor> = (0..n)
            .map(|i| {
                let (dy, dx) = if p > 0 {
                    (rng.random_range(0..=2 * p), rng.random_range(0..=2 * p))
                } else {
                    (0, 0)
                };
                let s = padded.get(i).narrow(1, dy, h).narrow(2, dx, w);
                if self.flip && rng.random_bool(0.5) {
                    s.flip([2])
                } else {
                    s
                }
            })
            .collect();
        Tensor::stack(&samples, 0)
    }
}
