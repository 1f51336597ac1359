//! Several CNNs trained apart, read as one reader: the first reads every
//! row, and where it is unsure (its most probable output under
//! [`SECOND_OPINION_BELOW`]) every member reads the row and their outputs
//! are averaged. Networks trained on different rows make different
//! mistakes, so their average is right more often than either; asking the
//! others only about doubtful rows keeps most of that gain for a fraction
//! of the cost (measured in docs/cnn.md, "Two readers").
//!
//! One file holds them all: member `k`'s tensors are named `{k}.conv1.weight`
//! and so on, the file's metadata says `architecture: cnn-ensemble`,
//! `members: N` and, when they have it, the "touching" last output.

use crate::error::{Error, Result};
use crate::models::any::Predict;
use crate::models::cnn::{self, Cnn, LAST_OUTPUT_KEY, TOUCHING};
use crate::nn::ParamStore;
use ndarray::{Array2, ArrayView2, Axis};
use std::path::Path;

/// The architecture's name in model files' metadata.
pub const ARCHITECTURE: &str = "cnn-ensemble";
/// The metadata key giving the number of members.
pub const MEMBERS_KEY: &str = "members";
/// A row the first member reads with a most probable output under this is
/// read by every member (docs/cnn.md, "Two readers": the strongest
/// generated pages read as well as with 0.99 or with every row averaged,
/// asking the second network about a tenth of the crops).
pub const SECOND_OPINION_BELOW: f32 = 0.9;

/// CNNs with the same outputs, the first one read first.
#[derive(Clone, Debug)]
pub struct Ensemble {
    members: Vec<Cnn<f32>>,
}

impl Ensemble {
    /// The members as one reader; `Err` (naming `path`, where the members
    /// came from) when there are none or their outputs differ.
    pub fn new(members: Vec<Cnn<f32>>, path: &Path) -> Result<Self> {
        let bad = |reason: String| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        };
        let first = members
            .first()
            .ok_or_else(|| bad("an ensemble of no network".into()))?;
        for (k, m) in members.iter().enumerate().skip(1) {
            if !m.same_outputs(first) {
                return Err(bad(format!(
                    "member {k} has {}, member 0 {}",
                    m.outputs_described(),
                    first.outputs_described()
                )));
            }
        }
        Ok(Ensemble { members })
    }

    /// The members, the first read first.
    pub fn members(&self) -> &[Cnn<f32>] {
        &self.members
    }

    /// The member that reads every row.
    pub fn first(&self) -> &Cnn<f32> {
        &self.members[0]
    }

    /// Loads a file written by [`save`](Self::save), checking every member's
    /// tensors as [`Cnn::load`] does.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let (params, metadata) = ParamStore::load_with_metadata(path)?;
        let bad = |reason: String| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        };
        let count: usize = metadata
            .get(MEMBERS_KEY)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| bad(format!("no member count ('{MEMBERS_KEY}') in its metadata")))?;
        let expected = count.saturating_mul(cnn::TENSORS);
        if params.len() != expected {
            return Err(bad(format!(
                "{} tensors for {count} members of {} each",
                params.len(),
                cnn::TENSORS
            )));
        }
        let touching = cnn::says_touching(&metadata);
        let members = (0..count)
            .map(|k| Cnn::from_store(params.sub_store(&format!("{k}.")), touching, path))
            .collect::<Result<Vec<_>>>()?;
        Ensemble::new(members, path)
    }

    /// Writes every member into one safetensors file (atomically).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let mut params = ParamStore::new();
        for (k, m) in self.members.iter().enumerate() {
            params.insert_prefixed(&format!("{k}."), &m.params);
        }
        let count = self.members.len().to_string();
        let mut metadata = vec![
            (crate::nn::ARCHITECTURE_KEY, ARCHITECTURE),
            (MEMBERS_KEY, count.as_str()),
        ];
        if self.members[0].touching {
            metadata.push((LAST_OUTPUT_KEY, TOUCHING));
        }
        params.save_as(path, &metadata)
    }

    /// The number of characters told apart (the outputs but "touching").
    pub fn characters(&self) -> usize {
        self.members[0].characters()
    }
}

impl Predict for Ensemble {
    fn predict_outputs(&self, x: ArrayView2<f32>) -> Array2<f32> {
        let mut outputs = self.members[0].predict_outputs(x);
        if self.members.len() == 1 {
            return outputs;
        }
        let doubtful: Vec<usize> = outputs
            .rows()
            .into_iter()
            .enumerate()
            .filter(|(_, row)| row.iter().copied().fold(0.0, f32::max) < SECOND_OPINION_BELOW)
            .map(|(r, _)| r)
            .collect();
        if doubtful.is_empty() {
            return outputs;
        }
        let rows = x.select(Axis(0), &doubtful);
        let mut sum = outputs.select(Axis(0), &doubtful);
        for m in &self.members[1..] {
            sum += &m.predict_outputs(rows.view());
        }
        sum /= self.members.len() as f32;
        for (k, &r) in doubtful.iter().enumerate() {
            outputs.row_mut(r).assign(&sum.row(k));
        }
        outputs
    }

    fn has_touching(&self) -> bool {
        self.members[0].touching
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::cnn::SIDE;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn rows(n: usize, seed: u64) -> Array2<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Array2::from_shape_simple_fn((n, SIDE * SIDE), || rng.random_range(0.0..1.0f32))
    }

    /// A row the first member is sure of is its reading alone; any other is
    /// the members' mean.
    #[test]
    fn only_doubtful_rows_are_averaged() {
        let (mut a, mut b) = (Cnn::<f32>::new(37, 1), Cnn::<f32>::new(37, 2));
        // A bias of its own, so that the second member's reading differs.
        let ramp = Array2::from_shape_fn((1, 37), |(_, j)| 0.1 * j as f32);
        b.params.insert("fc2.bias", ramp);
        // Larger last weights make the first member sure of some rows.
        let w = a.params.get_mut("fc2.weight").unwrap();
        *w = w.mapv(|v| v * 30.0).into_shared();
        let ensemble = Ensemble::new(vec![a.clone(), b.clone()], Path::new("x")).unwrap();
        // Random ink, then blank rows (read as nothing in particular).
        let mut x = rows(40, 3);
        x.slice_mut(ndarray::s![20.., ..]).fill(1.0);
        let (pa, pb) = (a.predict_outputs(x.view()), b.predict_outputs(x.view()));
        let both = ensemble.predict_outputs(x.view());
        let mut sure = 0;
        for r in 0..x.nrows() {
            let top = pa.row(r).iter().copied().fold(0.0, f32::max);
            if top >= SECOND_OPINION_BELOW {
                sure += 1;
                assert_eq!(both.row(r), pa.row(r));
            } else {
                assert_ne!(pa.row(r), pb.row(r));
                let mean = (&pa.row(r) + &pb.row(r)) / 2.0;
                for (got, want) in both.row(r).iter().zip(&mean) {
                    assert!((got - want).abs() < 1e-6, "row {r}: {got} against {want}");
                }
            }
        }
        assert!(0 < sure && sure < x.nrows(), "{sure} sure rows");
    }

    /// Members with different outputs are no ensemble, and none is none.
    #[test]
    fn members_must_agree() {
        let e = Ensemble::new(
            vec![Cnn::<f32>::new(37, 1), Cnn::<f32>::new(36, 2)],
            Path::new("m"),
        );
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("member 1 has 36 outputs"));
        assert!(Ensemble::new(vec![], Path::new("m")).is_err());
    }
}
