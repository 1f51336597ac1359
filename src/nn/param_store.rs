//! Named parameters (`"hidden.weight"`, `"output.bias"`), saved and loaded
//! as safetensors. Optimiser state uses the same names, so it can be saved too.

use crate::error::{Error, Result};
use crate::nn::dtype::{dtype_of, read_le, write_le};
use crate::ArcArrayD;
use crate::{Scalar, Tape, Var};
use ndarray::{Array, ArrayD, Dimension, IxDyn};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The safetensors metadata key naming a model file's architecture.
pub const ARCHITECTURE_KEY: &str = "architecture";

/// Anything that owns named parameters: models, and a `ParamStore` itself.
/// Optimisers, saving and the gradient checker work through this.
pub trait HasParams<T> {
    fn params(&self) -> &ParamStore<T>;
    fn params_mut(&mut self) -> &mut ParamStore<T>;
}

impl<T> HasParams<T> for ParamStore<T> {
    fn params(&self) -> &ParamStore<T> {
        self
    }
    fn params_mut(&mut self) -> &mut ParamStore<T> {
        self
    }
}

/// The gradient checker reads and nudges any model's parameters by name.
impl<M: HasParams<f64>> crate::gradcheck::Parameters for M {
    fn parameter_names(&self) -> Vec<String> {
        self.params().iter().map(|(n, _)| n.to_string()).collect()
    }
    fn parameter(&self, name: &str) -> Option<ndarray::ArrayViewD<'_, f64>> {
        self.params().get(name).map(|p| p.view())
    }
    fn parameter_mut(&mut self, name: &str) -> Option<ndarray::ArrayViewMutD<'_, f64>> {
        self.params_mut().get_mut(name).map(|p| p.view_mut())
    }
}

/// Parameters by name, in name order (so files are written deterministically).
#[derive(Clone, Debug, Default)]
pub struct ParamStore<T> {
    params: BTreeMap<String, ArcArrayD<T>>,
}

impl<T: Scalar> ParamStore<T> {
    pub fn new() -> Self {
        ParamStore {
            params: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) a parameter of any rank.
    pub fn insert<D: Dimension>(&mut self, name: &str, value: Array<T, D>) {
        self.params
            .insert(name.to_string(), value.into_dyn().into_shared());
    }

    pub fn get(&self, name: &str) -> Option<&ArcArrayD<T>> {
        self.params.get(name)
    }

    /// A 2-D parameter as a matrix view; `None` when there is none of that
    /// name or it is not 2-D.
    pub fn matrix(&self, name: &str) -> Option<ndarray::ArrayView2<'_, T>> {
        self.params
            .get(name)?
            .view()
            .into_dimensionality::<ndarray::Ix2>()
            .ok()
    }

    /// Mutable access; copies only if a tape still shares the array.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut ArcArrayD<T>> {
        self.params.get_mut(name)
    }

    /// Puts the parameter `name` on `tape`. Panics if there is none: asking
    /// for a parameter the model never created is a bug in the model.
    pub fn var<'t>(&self, tape: &'t Tape<T>, name: &str) -> Var<'t, T> {
        let value = self
            .params
            .get(name)
            .unwrap_or_else(|| panic!("no parameter named '{name}' in the store"));
        tape.param(name, value)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &ArcArrayD<T>)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.params.len()
    }

    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Adds every entry of `other` as `{prefix}{name}`, so several stores (an
    /// optimiser's moments, say) fit in one file. The arrays are shared, not copied.
    pub fn insert_prefixed(&mut self, prefix: &str, other: &ParamStore<T>) {
        for (name, value) in &other.params {
            self.params.insert(format!("{prefix}{name}"), value.clone());
        }
    }

    /// The entries named `{prefix}{name}`, as `name`: undoes
    /// [`ParamStore::insert_prefixed`].
    pub fn sub_store(&self, prefix: &str) -> ParamStore<T> {
        let params = self
            .params
            .iter()
            .filter_map(|(name, value)| {
                Some((name.strip_prefix(prefix)?.to_string(), value.clone()))
            })
            .collect();
        ParamStore { params }
    }

    /// Total number of scalars.
    pub fn num_scalars(&self) -> usize {
        self.params.values().map(|p| p.len()).sum()
    }

    /// Serialises to safetensors bytes (this store's dtype), without metadata.
    pub fn to_safetensors(&self) -> Vec<u8> {
        self.to_safetensors_with(&[])
    }

    /// Serialises to safetensors bytes with `metadata` (key, value) pairs in
    /// the header (the architecture under [`ARCHITECTURE_KEY`], for instance).
    pub fn to_safetensors_with(&self, metadata: &[(&str, &str)]) -> Vec<u8> {
        let buffers: Vec<(String, Vec<u8>, Vec<usize>)> = self
            .params
            .iter()
            .map(|(name, value)| {
                let mut bytes = Vec::with_capacity(value.len() * std::mem::size_of::<T>());
                for &x in value.iter() {
                    write_le(x, &mut bytes);
                }
                (name.clone(), bytes, value.shape().to_vec())
            })
            .collect();
        let views = buffers.iter().map(|(name, bytes, shape)| {
            let view = safetensors::tensor::TensorView::new(dtype_of::<T>(), shape.clone(), bytes)
                .expect("shape and byte count agree by construction");
            (name.clone(), view)
        });
        let metadata = (!metadata.is_empty()).then(|| {
            metadata
                .iter()
                .map(|&(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>()
        });
        let mut bytes =
            safetensors::serialize(views, &metadata).expect("in-memory serialisation cannot fail");
        sort_metadata(&mut bytes, metadata.as_ref());
        bytes
    }

    /// Writes the store to `path` atomically: a crash never leaves half a file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_as(path, &[])
    }

    /// As `save`, recording `metadata` (key, value) pairs in the file's header.
    pub fn save_as(&self, path: impl AsRef<Path>, metadata: &[(&str, &str)]) -> Result<()> {
        crate::fsutil::write_atomic(path.as_ref(), &self.to_safetensors_with(metadata))
    }

    /// The architecture a safetensors file records in its metadata
    /// (`None` for files without one, such as the course's MLP files).
    pub fn architecture(path: impl AsRef<Path>) -> Result<Option<String>> {
        Self::metadata(path, ARCHITECTURE_KEY)
    }

    /// The value a safetensors file records under `key` in its metadata.
    pub fn metadata(path: impl AsRef<Path>, key: &str) -> Result<Option<String>> {
        let path = path.as_ref();
        let bytes = read_model_file(path)?;
        Ok(metadata_of(&bytes, path)?.remove(key))
    }

    /// As [`load`](Self::load), with the file's metadata, from one read.
    pub fn load_with_metadata(path: impl AsRef<Path>) -> Result<(Self, HashMap<String, String>)> {
        let path = path.as_ref();
        let bytes = read_model_file(path)?;
        let store = Self::from_safetensors(&bytes, true).map_err(|reason| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        })?;
        Ok((store, metadata_of(&bytes, path)?))
    }

    /// Reads a safetensors file (F32 or F64 tensors; a rank-1 tensor becomes
    /// one row, 1×n, as the course's files store biases). A file that is not
    /// safetensors, is truncated, or holds a NaN or infinite weight is an
    /// `Error::ModelFile` naming the path (and the tensor).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = read_model_file(path)?;
        Self::from_safetensors(&bytes, true).map_err(|reason| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        })
    }

    /// As [`load`](Self::load) (the same checks: a regular file of at most
    /// [`MAX_MODEL_BYTES`], not truncated, every value finite), but every
    /// tensor keeps the shape the file gives it, rank 1 included: for
    /// other frameworks' weights (`extra_credit`'s libtorch models).
    pub fn load_as_stored(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = read_model_file(path)?;
        Self::from_safetensors(&bytes, false).map_err(|reason| Error::ModelFile {
            path: path.to_path_buf(),
            reason,
        })
    }

    fn from_safetensors(bytes: &[u8], rows: bool) -> std::result::Result<Self, String> {
        let tensors = safetensors::SafeTensors::deserialize(bytes)
            .map_err(|e| describe_safetensors_error(&e, bytes.len()))?;
        let mut store = ParamStore::new();
        for (name, view) in tensors.tensors() {
            let shape = match *view.shape() {
                [n] if rows => vec![1, n],
                [] => return Err(format!("tensor '{name}' is a scalar, expected an array")),
                ref s => s.to_vec(),
            };
            let width = view.dtype().size();
            let values: Option<Vec<T>> = view
                .data()
                .chunks_exact(width)
                .map(|b| read_le(view.dtype(), b))
                .collect();
            let values =
                values.ok_or_else(|| format!("tensor '{name}' has dtype {:?}", view.dtype()))?;
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(format!(
                    "tensor '{name}' holds {} at index {i} (flattened); a model with NaN or infinite weights is refused",
                    Scalar::to_f64(values[i])
                ));
            }
            let array = ArrayD::from_shape_vec(IxDyn(&shape), values).map_err(|e| e.to_string())?;
            store.insert(&name, array);
        }
        Ok(store)
    }
}

/// The largest model file read at all (the shipped classifier is 544 KB).
pub const MAX_MODEL_BYTES: u64 = 2 << 30;

/// The metadata of the safetensors `bytes` read from `path` (empty when the
/// header has none).
fn metadata_of(bytes: &[u8], path: &Path) -> Result<HashMap<String, String>> {
    let (_, meta) =
        safetensors::SafeTensors::read_metadata(bytes).map_err(|e| Error::ModelFile {
            path: path.to_path_buf(),
            reason: describe_safetensors_error(&e, bytes.len()),
        })?;
    Ok(meta.metadata().clone().unwrap_or_default())
}

fn read_model_file(path: &Path) -> Result<Vec<u8>> {
    crate::fsutil::read_regular_file(path, MAX_MODEL_BYTES)
}

/// One sentence for what the safetensors crate found wrong with a file of
/// `len` bytes, in the user's terms rather than the crate's variant names.
fn describe_safetensors_error(e: &safetensors::SafeTensorError, len: usize) -> String {
    use safetensors::SafeTensorError as E;
    match e {
        _ if len < 8 => format!("truncated, or not a safetensors model file ({len} bytes)"),
        E::InvalidHeaderLength | E::MetadataIncompleteBuffer => {
            format!("truncated: its header promises more than the {len} bytes present")
        }
        E::InvalidOffset(name) => {
            format!("truncated or corrupt: tensor '{name}' does not fit in the {len} bytes present")
        }
        E::TensorInvalidInfo | E::ValidationOverflow | E::InvalidTensorView(..) => {
            "corrupt: a tensor's shape and size disagree".to_string()
        }
        _ => "not a safetensors model file (no valid safetensors header)".to_string(),
    }
}

/// Rewrites the `__metadata__` object of serialised safetensors `bytes` with
/// its keys sorted. safetensors writes it from a `HashMap`, whose order
/// changes from run to run, so a file with two or more metadata keys would
/// otherwise differ in its bytes between two runs of the same seed. The
/// sorted object has the same entries, so the same length; the bytes are
/// left as they are if the header does not start with it as expected.
fn sort_metadata(bytes: &mut [u8], metadata: Option<&HashMap<String, String>>) {
    let Some(metadata) = metadata else { return };
    let sorted: BTreeMap<&String, &String> = metadata.iter().collect();
    let sorted = serde_json::to_vec(&sorted).expect("strings serialise");
    let start = 8 + br#"{"__metadata__":"#.len();
    let Some(written) = bytes.get_mut(start..start + sorted.len()) else {
        return;
    };
    let same_entries = serde_json::from_slice::<HashMap<String, String>>(written)
        .is_ok_and(|written| &written == metadata);
    if same_entries {
        written.copy_from_slice(&sorted);
    }
}
