//! `gradink ensemble`: several CNN files written as one, loaded back as an
//! ensemble that reads as its members do, and every bad input one sentence.

mod common;

use common::{gradink, scratch};
use gradink::models::{AnyClassifier, Cnn, Ensemble, Predict};
use gradink::nn::ParamStore;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn members_written_as_one_file_read_as_the_ensemble_of_them() {
    let dir = scratch("ensemble_cli");
    let (a, b) = (
        Cnn::<f32>::with_touching(36, 1),
        Cnn::<f32>::with_touching(36, 2),
    );
    let (pa, pb, out) = (
        dir.join("a.safetensors"),
        dir.join("b.safetensors"),
        dir.join("ab.safetensors"),
    );
    a.save(&pa).unwrap();
    b.save(&pb).unwrap();
    let args = |extra: &[&str]| {
        let mut v = vec!["ensemble", pa.to_str().unwrap(), pb.to_str().unwrap()];
        v.extend(["--out", out.to_str().unwrap()]);
        v.extend(extra);
        gradink(&v.iter().map(|s| &**s).collect::<Vec<_>>())
    };
    let made = args(&[]);
    assert!(made.status.success(), "{}", stderr(&made));

    let loaded = AnyClassifier::load(&out).unwrap();
    assert_eq!(loaded.architecture(), "cnn-ensemble");
    assert!(loaded.has_touching());
    assert_eq!(loaded.classes(), 36);
    let x = common::random(6, 1024, 0., 1., 9).mapv(|v| v as f32);
    let direct = Ensemble::new(vec![a, b], &out).unwrap();
    assert_eq!(
        loaded.predict_outputs(x.view()),
        direct.predict_outputs(x.view())
    );

    // An existing file is kept unless --force is given.
    let again = args(&[]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("give --force"),
        "{}",
        stderr(&again)
    );
    assert!(args(&["--force"]).status.success());
}

#[test]
fn bad_members_and_broken_ensemble_files_are_one_sentence() {
    let dir = scratch("ensemble_bad");
    let cnn = dir.join("cnn.safetensors");
    Cnn::<f32>::with_touching(36, 3).save(&cnn).unwrap();
    let plain = dir.join("plain.safetensors");
    Cnn::<f32>::new(36, 4).save(&plain).unwrap();
    let out = dir.join("out.safetensors");
    let run = |members: &[&std::path::Path]| {
        let mut v: Vec<&str> = vec!["ensemble"];
        v.extend(members.iter().map(|p| p.to_str().unwrap()));
        v.extend(["--out", out.to_str().unwrap()]);
        gradink(&v)
    };
    let mlp = std::path::Path::new("models/classifier.safetensors");
    for (members, says) in [
        (vec![cnn.as_path(), mlp], "is an MLP"),
        (vec![cnn.as_path(), plain.as_path()], "the same outputs"),
        (
            vec![cnn.as_path(), dir.join("none").as_path()],
            "file not found",
        ),
    ] {
        let e = run(&members);
        assert_eq!(e.status.code(), Some(1), "{members:?}");
        assert!(stderr(&e).contains(says), "{}", stderr(&e));
        assert_eq!(stderr(&e).lines().count(), 1, "{}", stderr(&e));
        assert!(!out.exists());
    }

    // A file that says it is an ensemble but lacks a member's tensors, or
    // its count: a load error naming the file, never a panic.
    let store = Cnn::<f32>::with_touching(36, 5).params;
    let mut half = ParamStore::<f32>::new();
    half.insert_prefixed("0.", &store);
    for (name, count) in [("two.safetensors", Some("2")), ("none.safetensors", None)] {
        let path = dir.join(name);
        let mut metadata = vec![(gradink::nn::ARCHITECTURE_KEY, "cnn-ensemble")];
        metadata.extend(count.map(|c| ("members", c)));
        half.save_as(&path, &metadata).unwrap();
        let e = AnyClassifier::load(&path).unwrap_err().to_string();
        assert!(
            e.contains(name) && e.contains("not a usable model file"),
            "{e}"
        );
    }
}
