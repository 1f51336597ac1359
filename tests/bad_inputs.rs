//! Bad inputs to the `gradink` binary: each is refused with one sentence
//! naming the option or the file, a non-zero exit and no panic
//! (docs/robustness.md; issue 12).

mod common;

use common::{fixture, fixture_dir, gradink, scratch, write_mat, MatArray};
use std::path::{Path, PathBuf};
use std::process::Output;

/// Asserts a clean refusal: non-zero exit, no panic, and `needle` in stderr.
fn refused(o: &Output, needle: &str) -> String {
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!o.status.success(), "accepted; stderr: {err}");
    assert_ne!(o.status.code(), Some(101), "panicked: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "expected '{needle}' in: {err}");
    err
}

#[test]
fn zero_sizes_are_refused_at_parse_time_by_every_subcommand() {
    let cases: &[(&[&str], &str)] = &[
        (&["train", "--hidden", "0"], "--hidden"),
        (&["train", "--batch-size", "0"], "--batch-size"),
        (&["train", "--epochs", "0"], "--epochs"),
        (&["sweep", "--epochs", "0"], "--epochs"),
        (&["gradcheck", "--hidden", "0"], "--hidden"),
        (&["gradcheck", "--batch", "0"], "--batch"),
        (&["autoencoder", "--batch-size", "0"], "--batch-size"),
        (&["autoencoder", "--epochs", "0"], "--epochs"),
        (&["report", "--gradcheck-hidden", "0"], "--gradcheck-hidden"),
        (&["report", "--hidden", "0"], "--hidden"),
        (&["report", "--epochs", "0"], "--epochs"),
        (&["report", "--sweep-epochs", "0"], "--sweep-epochs"),
        (&["report", "--ae-epochs", "0"], "--ae-epochs"),
        (&["report", "--batch-size", "0"], "--batch-size"),
        (&["synth-pages", "--pages", "0"], "--pages"),
    ];
    for (args, option) in cases {
        let o = gradink(args);
        let err = refused(&o, option);
        assert!(err.contains("at least 1"), "{args:?}: {err}");
    }
}

#[test]
fn negative_and_non_finite_rates_are_refused_at_parse_time() {
    for command in ["train", "autoencoder", "report", "sweep"] {
        for bad in ["-1", "0", "nan", "inf", "1e400"] {
            let o = gradink(&[command, &format!("--lr={bad}")]);
            refused(&o, "--lr");
        }
    }
    refused(
        &gradink(&["autoencoder", "--momentum", "1.5"]),
        "--momentum",
    );
}

#[test]
fn absurd_epoch_counts_are_refused_before_anything_is_allocated() {
    for n in [
        "18446744073709551615",
        "1000000000",
        "99999999999999999999999",
    ] {
        for command in ["train", "autoencoder"] {
            refused(&gradink(&[command, "--epochs", n]), "--epochs");
        }
        refused(&gradink(&["report", "--ae-epochs", n]), "--ae-epochs");
    }
}

/// A folder like `fixture_dir` whose `split` file has 36-column labels (the
/// others keep the fixture's 26).
fn data_with_wide_labels(name: &str, split: &str) -> PathBuf {
    let dir = fixture_dir(name);
    let (data, labels, rows) = fixture_columns(36);
    let (dk, lk) = (format!("{split}_data"), format!("{split}_labels"));
    write_mat(
        &dir.join(format!("nist36_{split}.mat")),
        &[
            MatArray::Double(&dk, rows, 1024, data),
            MatArray::UInt8(&lk, rows, 36, labels),
        ],
    );
    dir
}

/// The fixture's pixels (column-major) and its labels one-hot in `classes` columns.
fn fixture_columns(classes: usize) -> (Vec<f64>, Vec<u8>, usize) {
    let split = gradink::data::load_split(fixture(), "valid").unwrap();
    let rows = split.len();
    let data = split.images.t().iter().map(|&v| v as f64).collect();
    let mut labels = vec![0u8; rows * classes];
    for (r, &c) in split.labels.iter().enumerate() {
        labels[r + c * rows] = 1;
    }
    (data, labels, rows)
}

/// A one-split file (`valid_*`) with the fixture's labels and `data` as pixels.
fn valid_file(path: &Path, data: MatArray) {
    let (_, labels, rows) = fixture_columns(26);
    write_mat(
        path,
        &[data, MatArray::UInt8("valid_labels", rows, 26, labels)],
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn label_widths_that_differ_name_both_files_and_widths() {
    for split in ["valid", "train"] {
        let data = data_with_wide_labels(&format!("bad_widths_{split}"), split);
        let out = scratch(&format!("bad_widths_{split}_out"));
        for command in ["train", "autoencoder"] {
            let o = gradink(&[
                command,
                "--data",
                s(&data),
                "--out",
                s(&out),
                "--epochs",
                "1",
            ]);
            let err = refused(&o, "nist36_train.mat");
            assert!(err.contains("nist36_valid.mat"), "{err}");
            assert!(err.contains("26") && err.contains("36"), "{err}");
            assert_eq!(err.trim().lines().count(), 1, "{err}");
        }
    }
}

#[test]
fn corrupt_mat_sizes_are_errors_naming_the_file() {
    let dir = scratch("bad_mat_sizes");
    let good = dir.join("good.mat");
    let (data, _, rows) = fixture_columns(26);
    valid_file(&good, MatArray::Double("valid_data", rows, 1024, data));
    let bytes = std::fs::read(&good).unwrap();
    // write_mat's layout: 128-byte header, element tag (8), flags (16), dims tag (8): rows at 160, cols at 164.
    for (name, at, value) in [
        ("negative.mat", 164, -1i32),
        ("oversized.mat", 164, i32::MAX),
        ("rows.mat", 160, 1 << 20),
    ] {
        let mut b = bytes.clone();
        b[at..at + 4].copy_from_slice(&value.to_le_bytes());
        let path = dir.join(name);
        std::fs::write(&path, b).unwrap();
        let err = refused(&gradink(&["gradcheck", "--data", s(&path)]), name);
        assert!(err.contains("valid_data"), "{err}");
    }
    // Truncated, and a compressed stream with bytes flipped: one sentence, no Rust debug output.
    let truncated = dir.join("truncated.mat");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let err = refused(
        &gradink(&["gradcheck", "--data", s(&truncated)]),
        "truncated",
    );
    assert!(err.contains("truncated.mat"), "{err}");
    let mut flipped = std::fs::read(fixture()).unwrap();
    for i in (2000..flipped.len()).step_by(50_000) {
        flipped[i] ^= 0x5a;
    }
    let corrupt = dir.join("corrupt.mat");
    std::fs::write(&corrupt, flipped).unwrap();
    let err = refused(
        &gradink(&["gradcheck", "--data", s(&corrupt)]),
        "corrupt.mat",
    );
    for debug in ["Custom {", "ParseError", "kind:"] {
        assert!(!err.contains(debug), "{err}");
    }
}

#[test]
fn devices_fifos_and_zip_bombs_are_refused_quickly() {
    use std::io::Write;
    let dir = scratch("bad_mat_special");
    let started = std::time::Instant::now();
    refused(&gradink(&["gradcheck", "--data", "/dev/zero"]), "/dev/zero");
    refused(&gradink(&["gradcheck", "--data", s(&dir)]), "folder");
    let fifo = dir.join("fifo.mat");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|m| m.success()) {
        refused(
            &gradink(&["gradcheck", "--data", s(&fifo)]),
            "not a regular file",
        );
    }
    // 256 MB of zeros in one compressed element: about 250 KB on disk.
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        z.write_all(&zeros).unwrap();
    }
    let body = z.finish().unwrap();
    let mut file = b"MATLAB 5.0 MAT-file, a zip bomb".to_vec();
    file.resize(116, b' ');
    file.extend_from_slice(&[0; 8]);
    file.extend_from_slice(&0x0100u16.to_le_bytes());
    file.extend_from_slice(b"IM");
    file.extend_from_slice(&15u32.to_le_bytes());
    file.extend_from_slice(&(body.len() as u32).to_le_bytes());
    file.extend_from_slice(&body);
    let bomb = dir.join("bomb.mat");
    std::fs::write(&bomb, file).unwrap();
    refused(&gradink(&["gradcheck", "--data", s(&bomb)]), "zip bomb");
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}

#[test]
fn bad_pixels_and_empty_splits_name_the_variable_and_the_first_bad_index() {
    let dir = scratch("bad_pixels");
    let (data, _, rows) = fixture_columns(26);
    for (name, value, needle) in [
        ("inf.mat", f64::INFINITY, "inf at row 3, column 17"),
        ("nan.mat", f64::NAN, "NaN at row 3, column 17"),
        ("big.mat", 255.0, "255"),
    ] {
        let mut d = data.clone();
        d[3 + 17 * rows] = value;
        let path = dir.join(name);
        valid_file(&path, MatArray::Double("valid_data", rows, 1024, d));
        let err = refused(&gradink(&["gradcheck", "--data", s(&path)]), needle);
        assert!(err.contains("valid_data") && err.contains(name), "{err}");
    }
    let bytes = dir.join("uint8.mat");
    let ints = data.iter().map(|&v| (v * 255.0) as u8).collect();
    valid_file(&bytes, MatArray::UInt8("valid_data", rows, 1024, ints));
    refused(&gradink(&["gradcheck", "--data", s(&bytes)]), "uint8");
    let empty = dir.join("empty.mat");
    write_mat(
        &empty,
        &[
            MatArray::Double("valid_data", 0, 1024, vec![]),
            MatArray::UInt8("valid_labels", 0, 26, vec![]),
        ],
    );
    refused(&gradink(&["gradcheck", "--data", s(&empty)]), "empty");
}

#[test]
fn broken_model_files_are_named_and_refused() {
    use gradink::nn::ParamStore;
    let dir = scratch("bad_models");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/classifier.safetensors");
    let image = Path::new(env!("CARGO_MANIFEST_DIR")).join("images/03_haiku.jpg");
    let mut store = ParamStore::<f32>::load(&shipped).unwrap();
    store.get_mut("output.weight").unwrap()[[0, 5]] = f32::NAN;
    let nan = dir.join("nan.safetensors");
    store.save(&nan).unwrap();
    let err = refused(
        &gradink(&["ocr", s(&image), "--model", s(&nan)]),
        "output.weight",
    );
    assert!(
        err.contains("NaN") && err.contains("nan.safetensors"),
        "{err}"
    );

    let good = std::fs::read(&shipped).unwrap();
    let truncated = dir.join("truncated.safetensors");
    std::fs::write(&truncated, &good[..good.len() / 3]).unwrap();
    let err = refused(
        &gradink(&["ocr", s(&image), "--model", s(&truncated)]),
        "truncated",
    );
    assert!(err.contains("truncated.safetensors"), "{err}");
    let text = dir.join("text.safetensors");
    std::fs::write(&text, "this is not a model, just some words in a file").unwrap();
    let err = refused(
        &gradink(&["ocr", s(&image), "--model", s(&text)]),
        "not a safetensors model file",
    );
    for internal in [
        "HeaderTooLarge",
        "MetadataIncompleteBuffer",
        "InvalidOffset",
    ] {
        assert!(!err.contains(internal), "{err}");
    }
}

#[test]
fn sizes_that_cannot_fit_are_refused_with_an_estimate() {
    let data = fixture_dir("bad_sizes_data");
    let out = scratch("bad_sizes_out");
    for args in [["--hidden", "100000000"], ["--augment", "100000000"]] {
        let mut all = vec!["train", "--data", s(&data), "--out", s(&out)];
        all.extend(args);
        let err = refused(&gradink(&all), args[0]);
        assert!(
            err.contains("would need about") && err.contains("GB"),
            "{err}"
        );
    }
}

fn train(data: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["train", "--data", s(data), "--out", s(out)];
    args.extend(extra);
    gradink(&args)
}

#[test]
fn a_worse_or_blown_up_run_never_replaces_a_better_model() {
    let data = fixture_dir("keep_better_data");
    let out = scratch("keep_better_out");
    let o = train(&data, &out, &["--epochs", "30"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let model = std::fs::read(out.join("classifier.safetensors")).unwrap();
    let summary = std::fs::read(out.join("summary.json")).unwrap();

    // A typo'd rate: blows up; the good model and its summary stay.
    let err = refused(
        &train(&data, &out, &["--lr", "1e6", "--epochs", "3"]),
        "rejected",
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read(out.join("classifier.safetensors")).unwrap(),
        model
    );
    assert_eq!(std::fs::read(out.join("summary.json")).unwrap(), summary);
    assert!(out.join("rejected/classifier.safetensors").exists());
    assert!(out.join("rejected/summary.json").exists());

    // A shorter run: worse, refused the same way, naming both scores.
    let err = refused(&train(&data, &out, &["--epochs", "3"]), "below the");
    assert!(err.contains("already in"), "{err}");
    assert_eq!(
        std::fs::read(out.join("classifier.safetensors")).unwrap(),
        model
    );

    // The same run again: a tie is accepted; --force accepts a worse one.
    let o = train(&data, &out, &["--epochs", "30"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = train(&data, &out, &["--epochs", "3", "--force"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_ne!(
        std::fs::read(out.join("classifier.safetensors")).unwrap(),
        model
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".staging"))
        .collect();
    assert!(left.is_empty(), "staging folders left: {left:?}");
}

#[test]
fn a_collapsed_autoencoder_never_replaces_a_good_one() {
    let data = fixture_dir("keep_better_ae_data");
    let out = scratch("keep_better_ae_out");
    let ae = |extra: &[&str]| {
        let mut args = vec!["autoencoder", "--data", s(&data), "--out", s(&out)];
        args.extend(extra);
        gradink(&args)
    };
    let o = ae(&["--recipe", "beat-pca", "--epochs", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let model = std::fs::read(out.join("autoencoder.safetensors")).unwrap();
    let o = ae(&["--epochs", "2", "--lr", "1e3"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("rejected") || err.contains("diverged"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(out.join("autoencoder.safetensors")).unwrap(),
        model
    );
}

#[test]
fn ocr_never_overwrites_one_image_s_figures_with_another_s() {
    let dir = scratch("ocr_same_names");
    let photo = Path::new(env!("CARGO_MANIFEST_DIR")).join("images/03_haiku.jpg");
    let (a, b) = (dir.join("a"), dir.join("b"));
    for d in [&a, &b] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::copy(&photo, d.join("03_haiku.jpg")).unwrap();
    }
    let out = dir.join("out");
    let o = gradink(&[
        "ocr",
        s(&a.join("03_haiku.jpg")),
        s(&b.join("03_haiku.jpg")),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in ["03_haiku", "03_haiku_2"] {
        for kind in ["boxes", "crops"] {
            assert!(
                out.join(format!("{f}_{kind}.png")).exists(),
                "{f}_{kind}.png"
            );
        }
    }
    assert!(String::from_utf8_lossy(&o.stderr).contains("03_haiku_2_boxes.png"));
}

#[test]
fn report_fails_when_a_photo_cannot_be_read() {
    let dir = scratch("report_unreadable");
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    std::fs::write(photos.join("broken.jpg"), b"not a jpeg at all").unwrap();
    let o = gradink(&[
        "report",
        "--data",
        s(&dir.join("no_data_here")),
        "--images",
        s(&photos),
        "--gradcheck-hidden",
        "2",
        "--out",
        s(&dir.join("out")),
    ]);
    let err = refused(&o, "could not be read");
    assert!(err.contains("broken.jpg"), "{err}");
    let page = std::fs::read_to_string(dir.join("out/REPORT.md")).unwrap();
    assert!(page.contains("broken.jpg could not be read"), "{page}");
}

#[test]
fn os_errors_are_said_once_and_data_must_be_a_folder() {
    // An OS error through the library's Io error, printed with its chain:
    // it used to read "Is a directory (os error 21): Is a directory (os error 21)".
    let data = fixture_dir("os_error_once");
    std::fs::create_dir_all(data.join("source_indices.csv")).unwrap();
    let out = scratch("os_error_once_out").join("new");
    let err = refused(
        &gradink(&[
            "train",
            "--data",
            s(&data),
            "--emnist",
            s(&data),
            "--out",
            s(&out),
        ]),
        "source_indices.csv",
    );
    assert_eq!(err.matches("os error 21").count(), 1, "{err}");

    // --data naming a file (the train split itself) is a slip: say so.
    let file = data.join("nist36_train.mat");
    for command in ["train", "autoencoder", "sweep"] {
        let err = refused(
            &gradink(&[command, "--data", s(&file), "--out", s(&out)]),
            "--data must be a folder",
        );
        assert!(!err.contains("Not a directory"), "{err}");
    }
    assert!(!out.exists(), "nothing was created");
}

#[test]
fn devices_as_images_are_not_regular_files_and_cut_photos_are_corrupt() {
    let o = gradink(&["ocr", "/dev/zero"]);
    let err = refused(&o, "/dev/zero is not a regular file");
    assert!(!err.contains("empty"), "{err}");

    // A photo cut short: the same sentence from `ocr` and from `report`.
    let dir = scratch("cut_photo");
    let photos = dir.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let jpeg =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("images/04_deep.jpg")).unwrap();
    let cut = photos.join("04_deep.jpg");
    std::fs::write(&cut, &jpeg[..jpeg.len() / 2]).unwrap();
    refused(
        &gradink(&["ocr", s(&cut)]),
        &format!("truncated or corrupt image {}", cut.display()),
    );
    let o = gradink(&[
        "report",
        "--data",
        s(&dir.join("no_data_here")),
        "--images",
        s(&photos),
        "--gradcheck-hidden",
        "2",
        "--out",
        s(&dir.join("out")),
    ]);
    let err = refused(&o, "could not be read");
    assert!(err.contains("truncated or corrupt image"), "{err}");
    let page = std::fs::read_to_string(dir.join("out/REPORT.md")).unwrap();
    assert!(page.contains("truncated or corrupt image"), "{page}");
}

#[test]
fn a_failed_train_leaves_no_new_out_folder() {
    // Diverges in the first epoch (the loss becomes infinite).
    let data = fixture_dir("failed_train_data");
    let out = scratch("failed_train").join("new");
    let err = refused(
        &gradink(&[
            "train",
            "--data",
            s(&data),
            "--out",
            s(&out),
            "--epochs",
            "2",
            "--lr",
            "1e38",
            "--schedule",
            "constant",
        ]),
        "diverged",
    );
    assert!(err.contains("was not created"), "{err}");
    assert!(!out.exists(), "a failed run left {}", out.display());
}
