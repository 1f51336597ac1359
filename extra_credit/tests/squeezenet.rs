//! The pretrained SqueezeNet 1.1 weights load into the model with every
//! tensor's shape checked; wrong or missing tensors are named in the error.

use extra_credit::models::squeezenet;
use extra_credit::Error;
use std::path::{Path, PathBuf};
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

mod common;

/// The pretrained weights in ../shared/data (None, after a note, where absent).
fn weights_path() -> Option<PathBuf> {
    common::shared_data("weights/squeezenet_v1.1_features.safetensors")
}

/// torchvision's squeezenet1_1 feature tensors: (name, shape).
fn expected() -> Vec<(String, Vec<i64>)> {
    let mut v = vec![
        ("features.0.weight".to_string(), vec![64, 3, 3, 3]),
        ("features.0.bias".to_string(), vec![64]),
    ];
    let fires = [
        (3, 64, 16, 64),
        (4, 128, 16, 64),
        (6, 128, 32, 128),
        (7, 256, 32, 128),
    ];
    let fires2 = [
        (9, 256, 48, 192),
        (10, 384, 48, 192),
        (11, 384, 64, 256),
        (12, 512, 64, 256),
    ];
    for (i, c_in, s, e) in fires.into_iter().chain(fires2) {
        let f = format!("features.{i}");
        v.push((format!("{f}.squeeze.weight"), vec![s, c_in, 1, 1]));
        v.push((format!("{f}.squeeze.bias"), vec![s]));
        v.push((format!("{f}.expand1x1.weight"), vec![e, s, 1, 1]));
        v.push((format!("{f}.expand1x1.bias"), vec![e]));
        v.push((format!("{f}.expand3x3.weight"), vec![e, s, 3, 3]));
        v.push((format!("{f}.expand3x3.bias"), vec![e]));
    }
    v
}

#[test]
fn model_has_torchvision_names_and_shapes() {
    let vs = nn::VarStore::new(Device::Cpu);
    let _net = squeezenet::features(&vs.root());
    let vars = vs.variables();
    assert_eq!(vars.len(), expected().len());
    for (name, shape) in expected() {
        assert_eq!(vars[&name].size(), shape, "{name}");
    }
    let params: i64 = vars.values().map(|t| t.numel() as i64).sum();
    assert_eq!(params, 722_496);
}

#[test]
#[cfg_attr(
    not(shared_data),
    ignore = "needs ../shared/data/weights/squeezenet_v1.1_features.safetensors"
)]
fn pretrained_weights_load_with_every_shape_checked() {
    let Some(path) = weights_path() else {
        return;
    };
    let file: std::collections::HashMap<String, Tensor> = Tensor::read_safetensors(&path)
        .unwrap()
        .into_iter()
        .collect();
    for (name, shape) in expected() {
        assert_eq!(file[&name].size(), shape, "{name} in the file");
    }
    let mut vs = nn::VarStore::new(Device::Cpu);
    let net = squeezenet::features(&vs.root());
    squeezenet::load_checked(&mut vs, &path).unwrap();
    for (name, var) in vs.variables() {
        assert!(var.equal(&file[&name]), "{name} copied");
    }
    // A 227×227 input gives 512 channels (14×14 with ceil-mode pools).
    let x = Tensor::rand([1, 3, 227, 227], (Kind::Float, Device::Cpu)) * 255.0 - 117.0;
    let y = tch::no_grad(|| net.forward_t(&x, false));
    assert_eq!(y.size(), [1, 512, 14, 14]);
    assert!(y.isfinite().all().int64_value(&[]) == 1);
}

#[test]
fn wrong_shape_and_missing_tensor_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut tensors: Vec<(String, Tensor)> = expected()
        .into_iter()
        .map(|(n, s)| (n, Tensor::zeros(s, (Kind::Float, Device::Cpu))))
        .collect();
    // Two wrong shapes: the error names the first in layer order.
    tensors[8].1 = Tensor::zeros([7, 128, 1, 1], (Kind::Float, Device::Cpu));
    let last = tensors.len() - 2;
    tensors[last].1 = Tensor::zeros([1], (Kind::Float, Device::Cpu));
    let bad_name = tensors[8].0.clone();
    assert_eq!(bad_name, "features.4.squeeze.weight");
    let bad = dir.path().join("bad.safetensors");
    Tensor::write_safetensors(&tensors, &bad).unwrap();
    let mut vs = nn::VarStore::new(Device::Cpu);
    let _net = squeezenet::features(&vs.root());
    match squeezenet::load_checked(&mut vs, &bad) {
        Err(Error::ShapeMismatch { name, found, .. }) => {
            assert_eq!(name, bad_name);
            assert_eq!(found, [7, 128, 1, 1]);
        }
        other => panic!("expected a shape mismatch, got {other:?}"),
    }

    let _ = tensors.remove(0);
    let missing = dir.path().join("missing.safetensors");
    Tensor::write_safetensors(&tensors[..], &missing).unwrap();
    let err = squeezenet::load_checked(&mut vs, &missing).unwrap_err();
    assert!(err.to_string().contains("`features.0.weight`"), "{err}");
}

/// scripts/convert_torchvision_squeezenet.py on a state dict shaped like
/// torchvision's (random values, classifier included) gives a file that loads.
#[test]
fn torchvision_pth_converts_and_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        println!(
            "note: {} absent (run setup.sh); converter test skipped",
            python.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (pth, out) = (
        dir.path().join("fake.pth"),
        dir.path().join("converted.safetensors"),
    );
    let shapes: Vec<String> = expected()
        .iter()
        .map(|(n, s)| format!("'{n}': {s:?}"))
        .collect();
    let make = format!(
        "import torch; torch.manual_seed(0); shapes = {{{}, 'classifier.1.weight': [1000, 512, 1, 1]}}; \
         torch.save({{n: torch.randn(s) for n, s in shapes.items()}}, r'{}')",
        shapes.join(", "),
        pth.display()
    );
    let status = |c: &mut std::process::Command| c.status().unwrap().success();
    assert!(status(
        std::process::Command::new(&python).args(["-W", "ignore", "-c", &make])
    ));
    let script = root.join("scripts/convert_torchvision_squeezenet.py");
    assert!(status(
        std::process::Command::new(&python)
            .arg("-W")
            .arg("ignore")
            .arg(&script)
            .arg(&pth)
            .arg(&out)
    ));

    let mut vs = nn::VarStore::new(Device::Cpu);
    let _net = squeezenet::features(&vs.root());
    squeezenet::load_checked(&mut vs, &out).unwrap();
    let names: Vec<String> = Tensor::read_safetensors(&out)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names.len(), expected().len(), "classifier dropped");
}
