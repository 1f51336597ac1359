//! Loaders on tiny fixtures the tests write: CIFAR-10 binary records, an image
//! folder with a corrupt file and a GIF named .jpg, SUN list files; and the
//! NIST36 stand-in shipped in data/nist36_standin.

mod common;

use extra_credit::data::{cifar, flowers, images, nist36, split, sun};
use extra_credit::Error;
use image::{Rgb, RgbImage};
use rand::SeedableRng;
use std::path::Path;

/// A CIFAR record: label, then the red, green and blue planes.
fn record(label: u8, r: u8, g: u8, b: u8) -> Vec<u8> {
    let mut v = vec![label];
    for c in [r, g, b] {
        v.extend(std::iter::repeat_n(c, 1024));
    }
    v
}

#[test]
fn cifar_binary_records_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = record(3, 255, 0, 0);
    bytes.extend(record(9, 0, 51, 0));
    bytes.extend(record(0, 0, 0, 102));
    // One pixel that is not uniform, to check the row-major layout.
    bytes[1 + 32 + 5] = 0; // red plane, row 1, column 5 of the first record
    std::fs::write(dir.path().join("data_batch_1.bin"), &bytes).unwrap();
    std::fs::write(dir.path().join("test_batch.bin"), record(7, 1, 2, 3)).unwrap();

    let (train, test) = cifar::load(dir.path()).unwrap();
    assert_eq!(train.x.size(), [3, 3, 32, 32]);
    assert_eq!(train.labels(), [3, 9, 0]);
    assert_eq!(test.labels(), [7]);
    let px = |n: i64, c: i64, y: i64, x: i64| train.x.double_value(&[n, c, y, x]);
    assert_eq!(px(0, 0, 0, 0), 1.0);
    assert_eq!(px(0, 0, 1, 5), 0.0);
    assert_eq!(px(0, 1, 0, 0), 0.0);
    assert!((px(1, 1, 3, 3) - 0.2).abs() < 1e-6);
    assert!((px(2, 2, 31, 31) - 0.4).abs() < 1e-6);
}

#[test]
fn cifar_rejects_truncated_file_and_names_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data_batch_1.bin");
    std::fs::write(&path, &record(1, 0, 0, 0)[..3000]).unwrap();
    assert!(matches!(
        cifar::load_file(&path),
        Err(Error::BadData { .. })
    ));
    let err = cifar::load(&dir.path().join("absent"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("CIFAR-10 data folder") && err.contains("cifar-10-binary.tar.gz"),
        "{err}"
    );
}

/// Two classes of small PNG/JPEG photos, one corrupt file, one GIF named .jpg.
fn image_folder(root: &Path) {
    for (class, colour) in [("0", Rgb([200, 30, 30])), ("1", Rgb([30, 30, 200]))] {
        let dir = root.join(class);
        std::fs::create_dir_all(&dir).unwrap();
        for i in 0..3 {
            RgbImage::from_pixel(40 + 10 * i, 30, colour)
                .save(dir.join(format!("img{i}.png")))
                .unwrap();
        }
    }
    RgbImage::from_pixel(20, 20, Rgb([1, 2, 3]))
        .save(root.join("1/real.jpg"))
        .unwrap();
    std::fs::write(
        root.join("0/broken.jpg"),
        b"\xff\xd8\xff\xe0 this is not a jpeg",
    )
    .unwrap();
    let gif = root.join("1/tmp.gif");
    RgbImage::from_pixel(16, 12, Rgb([0, 255, 0]))
        .save(&gif)
        .unwrap();
    std::fs::rename(&gif, root.join("1/actually_gif.jpg")).unwrap();
    std::fs::write(root.join(".hidden"), b"ignored").unwrap();
}

#[test]
fn image_folder_decodes_by_content_and_refuses_or_skips_corrupt_files() {
    let dir = tempfile::tempdir().unwrap();
    image_folder(dir.path());
    let (classes, items) = flowers::list(dir.path()).unwrap();
    assert_eq!(classes, ["0", "1"]);
    assert_eq!(items.len(), 9);
    let err =
        images::decode_all(&items, &[8, 16], "fixture", images::BadImages::Refuse).unwrap_err();
    assert!(matches!(err, Error::BadImage(_)), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("truncated or corrupt image") && err.contains("0/broken.jpg"),
        "{err}"
    );
    let decoded = images::decode_all(&items, &[8, 16], "fixture", images::BadImages::Skip).unwrap();
    assert_eq!(decoded.skipped.len(), 1);
    assert!(decoded.skipped[0].path.ends_with("0/broken.jpg"));
    assert_eq!(decoded.labels, [0, 0, 0, 1, 1, 1, 1, 1]);
    assert!(decoded.images[0].iter().all(|i| i.dimensions() == (8, 8)));
    assert!(decoded.images[1].iter().all(|i| i.dimensions() == (16, 16)));
    // The GIF decoded, green; tensors are (N, 3, S, S).
    let gif = items
        .iter()
        .position(|(p, _)| p.ends_with("actually_gif.jpg"))
        .unwrap()
        - 1;
    assert_eq!(decoded.images[0][gif].get_pixel(3, 3), &Rgb([0, 255, 0]));
    assert_eq!(images::to_tensor(&decoded.images[0]).size(), [8, 3, 8, 8]);
}

#[test]
fn sun_lists_pair_files_with_labels() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("train_files.txt"), "desert/a.jpg\nkitchen/b.jpg\n\n").unwrap();
    std::fs::write(d.join("train_labels.txt"), "1\n3\n").unwrap();
    let items = sun::list(d, "train").unwrap();
    assert_eq!(
        items,
        [(d.join("desert/a.jpg"), 1), (d.join("kitchen/b.jpg"), 3)]
    );

    std::fs::write(d.join("test_files.txt"), "a.jpg\nb.jpg\n").unwrap();
    std::fs::write(d.join("test_labels.txt"), "1\n").unwrap();
    assert!(matches!(sun::list(d, "test"), Err(Error::BadData { .. })));
    std::fs::write(d.join("test_labels.txt"), "1\n8\n").unwrap();
    assert!(sun::list(d, "test")
        .unwrap_err()
        .to_string()
        .contains("label `8`"));
    let err = sun::list(&d.join("nope"), "train").unwrap_err().to_string();
    assert!(
        err.contains("SUN data folder") && err.contains("sun_hw1"),
        "{err}"
    );
}

#[test]
fn stratified_split_keeps_class_proportions() {
    let labels: Vec<i64> = (0..3).flat_map(|c| std::iter::repeat_n(c, 10)).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let (tr, va, te) = split::stratified(&labels, 0.2, 0.2, &mut rng);
    assert_eq!((tr.len(), va.len(), te.len()), (18, 6, 6));
    for c in 0..3 {
        assert_eq!(te.iter().filter(|&&i| labels[i] == c).count(), 2);
    }
    let mut all: Vec<usize> = tr.iter().chain(&va).chain(&te).copied().collect();
    all.sort_unstable();
    assert_eq!(all, (0..30).collect::<Vec<_>>());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    assert_eq!(
        split::stratified(&labels, 0.2, 0.2, &mut rng).2,
        te,
        "same seed, same split"
    );
}

#[test]
fn nist36_standin_loads_upright() {
    let dir = common::shipped_standin();
    let test = nist36::load(&dir, "test").unwrap();
    assert_eq!(test.x.size(), [1080, 1024]);
    let labels = test.labels();
    for c in 0..36 {
        assert_eq!(labels.iter().filter(|&&l| l == c).count(), 30);
    }
    // Upright glyphs: a row-major "I" has a vertical stroke, so ink (dark,
    // ≈ 0) spread over many rows but few columns of the middle band.
    let imgs = nist36::to_images(&test.x);
    assert_eq!(imgs.size(), [1080, 1, 32, 32]);
    let i_class = labels.iter().position(|&l| l == 8).unwrap() as i64;
    let ink = (imgs.get(i_class).get(0) * -1.0 + 1.0).clamp(0.0, 1.0);
    let rows_with_ink = ink
        .sum_dim_intlist(1, false, tch::Kind::Float)
        .gt(1.0)
        .sum(tch::Kind::Int64)
        .int64_value(&[]);
    let cols_with_ink = ink
        .sum_dim_intlist(0, false, tch::Kind::Float)
        .gt(1.0)
        .sum(tch::Kind::Int64)
        .int64_value(&[]);
    assert!(
        rows_with_ink > cols_with_ink,
        "rows {rows_with_ink}, cols {cols_with_ink}"
    );
}

#[test]
fn nist36_missing_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = nist36::load(dir.path(), "train").unwrap_err().to_string();
    assert!(
        err.contains("nist36_train.mat") && err.contains("nist36_standin"),
        "{err}"
    );
}
