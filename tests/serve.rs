//! `gradink serve` end to end over HTTP: the API answers what the CLI
//! prints, a drawn "A" is read, samples are served by name only, and bad
//! input gets a 4xx with a one-sentence JSON error while the server keeps
//! serving.
#![cfg(feature = "serve")]

mod serve_common;

use serve_common::{bomb_png, drawn_a_png, request, root, Server};

/// A 4xx whose body is `{"error": "one sentence."}`.
fn assert_refused(reply: &serve_common::Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    let json = reply.json();
    let message = json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no error field"));
    assert!(
        message.ends_with('.') && message.len() > 10,
        "{what}: {message}"
    );
    assert_eq!(
        json.as_object().map(|o| o.len()),
        Some(1),
        "{what}: only the error"
    );
}

#[test]
fn ocr_answers_exactly_what_the_cli_prints() {
    let server = Server::start(&[]);
    let photo = std::fs::read(root().join("images/04_deep.jpg")).unwrap();
    let reply = server.post("/api/ocr?name=images%2F04_deep.jpg", "image/jpeg", &photo);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("Content-Type"), Some("application/json"));
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_gradink"))
        .current_dir(root())
        .args(["ocr", "--json", "images/04_deep.jpg"])
        .output()
        .unwrap();
    assert!(cli.status.success());
    assert_eq!(reply.text(), String::from_utf8_lossy(&cli.stdout));
    let json = reply.json();
    assert_eq!(json["boxes"].as_array().unwrap().len(), 41);
    let lines: Vec<&str> = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(lines.contains(&"DEEP LEARNING"), "{lines:?}");

    // The page's form: the same reading, plus what it shows on hover.
    let detail = server
        .post(
            "/api/ocr/detail?name=images%2F04_deep.jpg",
            "image/jpeg",
            &photo,
        )
        .json();
    assert_eq!(detail["reading"], json);
    let chars = detail["chars"].as_array().unwrap();
    assert_eq!(chars.len(), 41);
    for c in chars {
        let (p, q) = (c["p"].as_f64().unwrap(), c["runner_up_p"].as_f64().unwrap());
        assert!((0.0..=1.0).contains(&p) && q <= 1.0 - p + 1e-4, "{c}");
        assert_ne!(c["char"], c["runner_up"]);
    }
    assert_eq!(
        detail["line_colours"].as_array().unwrap().len(),
        lines.len()
    );
    assert!(detail["binarised"]
        .as_str()
        .unwrap()
        .starts_with("data:image/png;base64,"));
    assert_eq!(
        (detail["width"].as_u64(), detail["height"].as_u64()),
        (Some(4032), Some(3024))
    );
}

#[test]
fn a_drawn_a_is_read_as_a_with_its_input_and_hidden_layer() {
    let server = Server::start(&[]);
    let png = drawn_a_png();
    let reply = server.post("/api/classify", "image/png", &png);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json = reply.json();
    assert_eq!(json["top"][0]["class"], "A", "{}", json["top"]);
    assert_eq!(json["top"].as_array().unwrap().len(), 5);
    let probs: Vec<f64> = json["probabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_f64().unwrap())
        .collect();
    assert_eq!(probs.len(), 36);
    assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-3);
    let input = json["input"].as_array().unwrap();
    assert_eq!(input.len(), 1024);
    // Ink is dark: the crop has some, and its corners are paper.
    assert!(input.iter().any(|v| v.as_f64().unwrap() < 0.2));
    assert!(input[0].as_f64().unwrap() > 0.9 && input[1023].as_f64().unwrap() > 0.9);
    if json["architecture"] == "mlp" {
        assert_eq!(json["activations"]["kind"], "hidden");
        assert!(!json["activations"]["values"].as_array().unwrap().is_empty());
    } else {
        assert_eq!(json["activations"]["kind"], "feature_maps");
    }

    // The same drawing as JSON (a data: URL) reads the same.
    use base64::Engine as _;
    let url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    );
    let body = serde_json::json!({ "image": url }).to_string();
    let again = server
        .post("/api/classify", "application/json", body.as_bytes())
        .json();
    assert_eq!(again["probabilities"], json["probabilities"]);

    // A blank canvas has nothing to read.
    let blank = serve_common::png_bytes(&image::DynamicImage::ImageLuma8(
        image::GrayImage::from_pixel(280, 280, image::Luma([255])),
    ));
    assert_refused(
        &server.post("/api/classify", "image/png", &blank),
        422,
        "blank drawing",
    );
}

#[test]
fn samples_are_served_by_name_and_no_path_leaves_images() {
    let server = Server::start(&[]);
    let list = server.get("/api/images").json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(names.contains(&"04_deep.jpg"), "{names:?}");
    let photo = server.get("/api/images/04_deep.jpg");
    assert_eq!(photo.status, 200);
    assert_eq!(photo.header("Content-Type"), Some("image/jpeg"));
    assert_eq!(
        photo.body,
        std::fs::read(root().join("images/04_deep.jpg")).unwrap()
    );
    for path in [
        "/api/images/../../etc/passwd",
        "/api/images/..%2F..%2Fetc%2Fpasswd",
        "/api/images/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/api/images/..",
        "/api/images/%2Fetc%2Fpasswd",
        "/api/images/..%5C..%5CCargo.toml",
        "/api/images/",
        "/api/images/%zz",
    ] {
        let reply = request(&server.addr, "GET", path, &[], b"").unwrap();
        assert!(
            (400..500).contains(&reply.status),
            "{path}: {}",
            reply.status
        );
        assert!(!reply.text().contains("root:"), "{path} leaked a file");
        assert!(reply.json()["error"].is_string(), "{path}");
    }
    assert_refused(
        &server.get("/api/images/nothing.jpg"),
        404,
        "unknown sample",
    );
    // The page itself is served from the binary.
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<canvas id=\"pad\""));
    assert_eq!(server.get("/app.js").status, 200);
    assert_eq!(server.get("/style.css").status, 200);
}

#[test]
fn bad_input_gets_a_one_sentence_error_and_the_server_keeps_serving() {
    let mut server = Server::start(&["--threads", "2"]);
    let photo = std::fs::read(root().join("images/04_deep.jpg")).unwrap();
    let png = drawn_a_png();
    let cases: Vec<(&str, &str, &str, Vec<u8>, u16)> = vec![
        (
            "not an image",
            "/api/ocr",
            "text/plain",
            b"hello, this is text".to_vec(),
            415,
        ),
        ("an empty body", "/api/ocr", "image/jpeg", Vec::new(), 400),
        (
            "a truncated PNG",
            "/api/classify",
            "image/png",
            png[..png.len() / 2].to_vec(),
            422,
        ),
        (
            "a PNG claiming 100000×100000",
            "/api/ocr",
            "image/png",
            bomb_png(100_000, 100_000),
            422,
        ),
        (
            "a PNG claiming 20000×20000",
            "/api/classify",
            "image/png",
            bomb_png(20_000, 20_000),
            422,
        ),
        (
            "malformed JSON",
            "/api/classify",
            "application/json",
            b"{\"image\": ".to_vec(),
            400,
        ),
        (
            "JSON of the wrong shape",
            "/api/classify",
            "application/json",
            b"{\"picture\": 1}".to_vec(),
            400,
        ),
        (
            "JSON that is not base64",
            "/api/classify",
            "application/json",
            b"{\"image\": \"%%%\"}".to_vec(),
            400,
        ),
        (
            "a body over 40 MB",
            "/api/ocr",
            "image/jpeg",
            vec![0xFF; 41 * 1024 * 1024],
            413,
        ),
    ];
    for (what, path, kind, body, status) in &cases {
        let reply = server.post(path, kind, body);
        assert_refused(&reply, *status, what);
        assert!(server.alive(), "the server died on {what}");
    }
    // A truncated JPEG is refused as such (the decoder alone would fill it
    // with grey and read nonsense).
    let reply = server.post("/api/ocr", "image/jpeg", &photo[..photo.len() / 3]);
    assert_refused(&reply, 422, "a truncated JPEG");
    let error = reply.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(error.contains("truncated or corrupt image"), "{error}");
    assert_refused(&server.get("/api/ocr"), 405, "GET on a POST route");
    assert_refused(&server.get("/nowhere"), 404, "an unknown path");
    // A request that is not HTTP at all.
    let garbage = request(&server.addr, "BREW", "no-slash", &[], b"");
    assert!(garbage.map(|r| r.status >= 400).unwrap_or(true));
    assert!(server.alive());
    // Still serving: a good request after all of that.
    let ok = server.post("/api/ocr", "image/jpeg", &photo);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["boxes"].as_array().unwrap().len(), 41);
    let model = server.get("/api/model").json();
    assert!(model["classes"].as_u64().unwrap() > 0);
}

#[test]
fn ctrl_c_stops_it_cleanly() {
    let mut server = Server::start(&[]);
    assert_eq!(server.get("/api/model").status, 200);
    // SAFETY: kill(2) only sends SIGINT to our own child; no memory is involved.
    let rc = unsafe { libc::kill(server.child.id() as i32, libc::SIGINT) };
    assert_eq!(rc, 0);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed().as_secs() < 10,
            "still running 10 s after Ctrl-C"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
}
