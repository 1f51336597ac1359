//! Checkpoints and summaries, written and read through the root crate:
//! `gradink::fsutil::write_atomic` (temporary file, fsync, rename; creates
//! the folder; the temporary removed on failure) and
//! `gradink::nn::ParamStore` (safetensors; reading only regular files of
//! bounded size, refusing truncated files and NaN or infinite weights).

use crate::{Error, Result};
use gradink::nn::ParamStore;
use std::collections::HashMap;
use std::path::Path;
use tch::nn::VarStore;
use tch::{Device, Kind, Tensor};

/// Every variable of `vs` as f32 arrays with their shapes.
fn to_store(vs: &VarStore) -> Result<ParamStore<f32>> {
    let mut store = ParamStore::new();
    for (name, var) in vs.variables() {
        let shape: Vec<usize> = var.size().iter().map(|&d| d as usize).collect();
        let flat = var
            .detach()
            .to_device(Device::Cpu)
            .to_kind(Kind::Float)
            .contiguous()
            .view([-1]);
        let values = Vec::<f32>::try_from(&flat)?;
        let array = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), values)
            .expect("a tensor's values fill its shape");
        store.insert(&name, array);
    }
    Ok(store)
}

/// Saves every variable of `vs` to `path` as safetensors, atomically.
pub fn save_var_store(vs: &VarStore, path: &Path) -> Result<()> {
    Ok(to_store(vs)?.save(path)?)
}

/// Orders `features.10.x` after `features.9.x`: numbers compare as numbers.
fn natural_key(name: &str) -> Vec<(u64, String)> {
    name.split('.')
        .map(|part| (part.parse().unwrap_or(u64::MAX), part.to_string()))
        .collect()
}

/// Loads a safetensors file into `vs`, checking every variable of the model
/// first: the first (in layer order) that is missing or shaped differently
/// is named in the error, and nothing is copied. The file is read by the
/// root crate (`ParamStore::load_as_stored`): a folder, a device, a
/// truncated or corrupt file, or a NaN or infinite value is one sentence
/// naming the file.
pub fn load_checked(vs: &mut VarStore, path: &Path) -> Result<()> {
    let file = ParamStore::<f32>::load_as_stored(path)?;
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by_key(|(name, _)| natural_key(name));
    let mut values: HashMap<&str, Tensor> = HashMap::new();
    for (name, var) in &vars {
        let expected = var.size();
        let Some(array) = file.get(name) else {
            return Err(Error::MissingTensor {
                path: path.to_path_buf(),
                name: name.clone(),
                expected,
            });
        };
        let found: Vec<i64> = array.shape().iter().map(|&d| d as i64).collect();
        if found != expected {
            return Err(Error::ShapeMismatch {
                path: path.to_path_buf(),
                name: name.clone(),
                expected,
                found,
            });
        }
        let flat: Vec<f32> = array.iter().copied().collect();
        values.insert(name, Tensor::from_slice(&flat).view(expected.as_slice()));
    }
    tch::no_grad(|| {
        for (name, var) in &vars {
            let mut var = var.shallow_clone();
            var.copy_(&values[name.as_str()].to_kind(var.kind()));
        }
    });
    Ok(())
}

/// A copy of every variable's values (to restore the best epoch's weights).
pub fn snapshot(vs: &VarStore) -> Vec<(String, Tensor)> {
    tch::no_grad(|| {
        vs.variables()
            .into_iter()
            .map(|(name, t)| (name, t.detach().copy()))
            .collect()
    })
}

/// Puts back the values [`snapshot`] took.
pub fn restore(vs: &VarStore, saved: &[(String, Tensor)]) {
    let vars = vs.variables();
    tch::no_grad(|| {
        for (name, value) in saved {
            if let Some(var) = vars.get(name) {
                var.shallow_clone().copy_(value);
            }
        }
    });
}

/// Writes `bytes` to `path` atomically (see the module's doc).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    Ok(gradink::fsutil::write_atomic(path, bytes)?)
}

/// Writes a pretty-printed JSON summary atomically.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("summaries serialise");
    write_atomic(path, (text + "\n").as_bytes())
}

/// Creates the output folder.
pub fn create_out_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))
}
