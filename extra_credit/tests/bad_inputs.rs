//! Bad inputs to the `extra_credit` binary, as the root crate's
//! tests/bad_inputs.rs checks them for `gradink` (docs/robustness.md;
//! issue 12): each is refused with one sentence naming the option or the
//! file, a non-zero exit and no panic.

mod common;

use image::{Rgb, RgbImage};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output};

fn extra_credit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_extra_credit"))
        .args(args)
        .env("CI", "")
        .output()
        .unwrap()
}

/// Asserts a clean refusal: exit status `code`, no panic, `needle` in the
/// error, and the error one sentence on one line (clap adds a usage hint
/// after a blank line; only the first line is the error).
fn refused(o: &Output, code: i32, needle: &str) -> String {
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(code), "{err}");
    let first = err.trim().lines().next().unwrap_or_default().to_string();
    assert!(first.starts_with("error: "), "{err}");
    assert!(first.contains(needle), "expected '{needle}' in: {err}");
    if code == 1 {
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    first
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn zero_and_absurd_numbers_are_refused_at_parse_time() {
    let cases: &[(&[&str], &str, &str)] = &[
        (&["nist36-fc", "--epochs", "0"], "--epochs", "at least 1"),
        (&["nist36-cnn", "--epochs", "0"], "--epochs", "at least 1"),
        (&["cifar10", "--epochs", "0"], "--epochs", "at least 1"),
        (&["sun", "--epochs", "0"], "--epochs", "at least 1"),
        (&["flowers17", "--epochs", "0"], "--epochs", "at least 1"),
        (
            &["flowers17", "--head-epochs", "0"],
            "--head-epochs",
            "at least 1",
        ),
        (
            &["nist36-fc", "--epochs", "18446744073709551615"],
            "--epochs",
            "at most",
        ),
        (
            &["sun", "--head-epochs=-3"],
            "--head-epochs",
            "whole number",
        ),
        (&["sun", "--bow-acc", "62"], "--bow-acc", "0 to 1"),
        (&["sun", "--bow-acc", "nan"], "--bow-acc", "0 to 1"),
        (&["sun", "--bow-acc=-0.5"], "--bow-acc", "0 to 1"),
    ];
    for (args, option, why) in cases {
        let first = refused(&extra_credit(args), 2, option);
        assert!(first.contains(why), "{args:?}: {first}");
    }
}

#[test]
fn a_data_folder_that_is_a_file_or_empty_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nist36_train.mat");
    std::fs::write(&file, b"x").unwrap();
    let out = dir.path().join("out");
    for task in ["nist36-fc", "cifar10", "sun", "flowers17"] {
        let o = extra_credit(&[task, "--data", s(&file), "--out", s(&out)]);
        refused(&o, 1, "is a file, not the");
    }
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let needles = [
        ("nist36-fc", "nist36_train.mat"),
        ("cifar10", "data_batch_1.bin"),
        ("sun", "train_files.txt"),
        ("flowers17", "class folders"),
    ];
    for (task, needle) in needles {
        let o = extra_credit(&[task, "--data", s(&empty), "--out", s(&out)]);
        refused(&o, 1, needle);
    }
    // A class folder without a single file.
    std::fs::create_dir(empty.join("0")).unwrap();
    let o = extra_credit(&["flowers17", "--data", s(&empty), "--out", s(&out)]);
    refused(&o, 1, "class folder `0`");
    assert!(!out.exists(), "a refused run created --out");
}

#[test]
fn broken_mat_files_are_one_sentence_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    common::write_nist36(&data, 40);
    let train = data.join("nist36_train.mat");
    let good = std::fs::read(&train).unwrap();
    let run = || extra_credit(&["nist36-fc", "--data", s(&data), "--out", s(&out)]);

    // Truncated: the declared sizes do not fit in the bytes present.
    std::fs::write(&train, &good[..good.len() / 2]).unwrap();
    refused(&run(), 1, &train.display().to_string());
    std::fs::write(&train, &good[..100]).unwrap();
    refused(&run(), 1, "nist36_train.mat");
    std::fs::write(&train, b"").unwrap();
    refused(&run(), 1, "empty");

    // A NaN pixel, and labels that are not one-hot.
    let mut arrays = common::nist36_split("train", 40);
    arrays[0].3[5 + 40 * 3] = f64::NAN;
    let write = |a: &[(String, usize, usize, Vec<f64>)]| {
        let refs: Vec<_> = a
            .iter()
            .map(|(k, r, c, v)| (k.as_str(), *r, *c, v.clone()))
            .collect();
        common::write_mat(&train, &refs);
    };
    write(&arrays);
    let first = refused(&run(), 1, "NaN");
    assert!(
        first.contains("train_data") && first.contains("row 5, column 3"),
        "{first}"
    );
    let mut arrays = common::nist36_split("train", 40);
    arrays[1].3[7] = 2.0;
    write(&arrays);
    refused(&run(), 1, "not one-hot");
    // The wrong shape.
    let mut arrays = common::nist36_split("train", 40);
    arrays[0] = ("train_data".into(), 40, 1000, vec![0.5; 40_000]);
    write(&arrays);
    refused(&run(), 1, "1024");

    // Not a regular file: /dev/zero is refused at once, not read for ever.
    std::fs::remove_file(&train).unwrap();
    symlink("/dev/zero", &train).unwrap();
    refused(&run(), 1, "not a regular file");
    assert!(!out.exists(), "a refused run created --out");
}

/// A flowers17-like folder: two classes of three small photos each.
fn photo_folder(root: &Path) {
    for (class, colour) in [("0", Rgb([200, 30, 30])), ("1", Rgb([30, 30, 200]))] {
        let dir = root.join(class);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..3 {
            RgbImage::from_fn(40 + 10 * i, 30, |x, y| {
                let mut c = colour;
                c.0[1] = ((x * 7 + y * 3) % 255) as u8;
                c
            })
            .save(dir.join(format!("img{i}.jpg")))
            .unwrap();
        }
    }
}

#[test]
fn truncated_or_corrupt_photos_in_an_image_folder_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("flowers");
    photo_folder(&data);
    let weights = dir.path().join("squeezenet.safetensors");
    common::zero_squeezenet(&weights);
    let out = dir.path().join("out");
    let photo = data.join("1/img2.jpg");
    let good = std::fs::read(&photo).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "flowers17",
            "--data",
            s(&data),
            "--weights",
            s(&weights),
            "--out",
            s(&out),
            "--epochs",
            "1",
            "--head-epochs",
            "1",
            "--device",
            "cpu",
        ];
        args.extend_from_slice(extra);
        extra_credit(&args)
    };

    // Cut in half: the image crate alone would fill the rest with grey.
    std::fs::write(&photo, &good[..good.len() / 2]).unwrap();
    let first = refused(&run(&[]), 1, &photo.display().to_string());
    assert!(
        first.contains("truncated or corrupt image") && first.contains("--skip-bad-images"),
        "{first}"
    );
    std::fs::write(&photo, b"\xff\xd8\xff\xe0 not a jpeg at all").unwrap();
    refused(&run(&[]), 1, "truncated or corrupt image");
    std::fs::write(&photo, b"").unwrap();
    refused(&run(&[]), 1, "empty");
    std::fs::write(&photo, b"plain text").unwrap();
    refused(&run(&[]), 1, "not an image");
    assert!(!out.exists(), "a refused run created --out");

    // With --skip-bad-images the photo is skipped and listed; the run goes on.
    std::fs::write(&photo, &good[..good.len() / 2]).unwrap();
    let o = run(&["--skip-bad-images"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("warning: skipping truncated or corrupt image"),
        "{err}"
    );
}

#[test]
fn sun_lists_and_cifar_batches_that_are_broken_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let weights = dir.path().join("squeezenet.safetensors");
    common::zero_squeezenet(&weights);

    // SUN: a list file that is a device, then one naming a cut photo.
    let sun = dir.path().join("sun");
    photo_folder(&sun);
    symlink("/dev/zero", sun.join("train_files.txt")).unwrap();
    std::fs::write(sun.join("train_labels.txt"), "0\n1\n").unwrap();
    std::fs::write(sun.join("test_files.txt"), "0/img0.jpg\n1/img0.jpg\n").unwrap();
    std::fs::write(sun.join("test_labels.txt"), "0\n1\n").unwrap();
    let run_sun = || {
        extra_credit(&[
            "sun",
            "--data",
            s(&sun),
            "--weights",
            s(&weights),
            "--out",
            s(&out),
        ])
    };
    refused(&run_sun(), 1, "not a regular file");
    std::fs::remove_file(sun.join("train_files.txt")).unwrap();
    std::fs::write(sun.join("train_files.txt"), "0/img1.jpg\n1/img1.jpg\n").unwrap();
    let cut = sun.join("1/img1.jpg");
    let bytes = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 40]).unwrap();
    refused(&run_sun(), 1, &cut.display().to_string());
    std::fs::write(sun.join("train_files.txt"), "0/img1.jpg\n1/absent.jpg\n").unwrap();
    refused(&run_sun(), 1, "absent.jpg");

    // CIFAR-10: a cut batch, a record with label 200, a batch that is a device.
    let cifar = dir.path().join("cifar");
    std::fs::create_dir(&cifar).unwrap();
    let batch = cifar.join("data_batch_1.bin");
    std::fs::write(&batch, vec![3u8; 3073 * 2 - 10]).unwrap();
    let run_cifar = || extra_credit(&["cifar10", "--data", s(&cifar), "--out", s(&out)]);
    let first = refused(&run_cifar(), 1, "data_batch_1.bin");
    assert!(first.contains("truncated"), "{first}");
    let mut records = vec![3u8; 3073 * 2];
    records[3073] = 200;
    std::fs::write(&batch, &records).unwrap();
    refused(&run_cifar(), 1, "label 200");
    std::fs::remove_file(&batch).unwrap();
    symlink("/dev/zero", &batch).unwrap();
    refused(&run_cifar(), 1, "not a regular file");
    assert!(!out.exists(), "a refused run created --out");
}

#[test]
fn truncated_corrupt_or_non_finite_weights_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("flowers");
    photo_folder(&data);
    let out = dir.path().join("out");
    let weights = dir.path().join("squeezenet.safetensors");
    common::zero_squeezenet(&weights);
    let good = std::fs::read(&weights).unwrap();
    let run = || {
        extra_credit(&[
            "flowers17",
            "--data",
            s(&data),
            "--weights",
            s(&weights),
            "--out",
            s(&out),
        ])
    };
    std::fs::write(&weights, &good[..good.len() / 2]).unwrap();
    let first = refused(&run(), 1, &weights.display().to_string());
    assert!(first.contains("truncated"), "{first}");
    std::fs::write(&weights, &good[..4]).unwrap();
    refused(&run(), 1, "truncated");
    let mut garbage = good.clone();
    garbage[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&weights, &garbage).unwrap();
    refused(&run(), 1, "squeezenet.safetensors");

    // A NaN weight: the tensor is named.
    let mut vs = tch::nn::VarStore::new(tch::Device::Cpu);
    let _net = extra_credit::models::squeezenet::features(&vs.root());
    std::fs::write(&weights, &good).unwrap();
    vs.load(&weights).unwrap();
    tch::no_grad(|| {
        let mut v = vs.variables()["features.3.squeeze.bias"].shallow_clone();
        let _ = v.fill_(f64::NAN);
    });
    vs.save(&weights).unwrap();
    let first = refused(&run(), 1, "features.3.squeeze.bias");
    assert!(first.contains("NaN"), "{first}");

    std::fs::remove_file(&weights).unwrap();
    symlink("/dev/zero", &weights).unwrap();
    refused(&run(), 1, "not a regular file");
    std::fs::remove_file(&weights).unwrap();
    std::fs::create_dir(&weights).unwrap();
    refused(&run(), 1, "folder");
    assert!(!out.exists(), "a refused run created --out");
}
