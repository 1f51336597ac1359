//! The routes: the embedded page, and the JSON API that it (and any script)
//! uses. Every handler turns HTTP into one library call and the answer into
//! JSON; every failure is a 4xx with `{"error": "one sentence."}`.
//!
//! | route | answer |
//! | --- | --- |
//! | `GET /` | the page |
//! | `GET /api/model` | the model file, its architecture and classes |
//! | `GET /api/images` | the sample photos' names |
//! | `GET /api/images/NAME` | one sample photo (only names in that list) |
//! | `POST /api/ocr?name=N` | exactly what `gradink ocr --json` prints for the body |
//! | `POST /api/ocr/detail?name=N` | that, plus each character's probability and runner-up, line colours, the binarised page |
//! | `POST /api/classify` | one drawn character: top classes, the 32×32 input, the first layer |

use super::assets::asset;
use super::http::{self, ApiError, Reply};
use crate::models::AnyClassifier;
use crate::ocr::{
    char_details, decode_image, find_letters, read_drawing, read_letters, reading_json,
    Activations, Letters, Reading,
};
use base64::Engine as _;
use image::{DynamicImage, GrayImage};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;
use tiny_http::{Method, Request};

/// What every worker shares: the model and where the sample photos are.
pub struct State {
    pub model: AnyClassifier,
    pub model_file: String,
    pub images: PathBuf,
}

/// Answers one request (a failed write means the client went away).
pub fn handle(state: &State, mut request: Request) {
    let reply = route(state, &mut request).unwrap_or_else(|e| http::error(&e));
    let _ = request.respond(reply);
}

const API: [&str; 5] = [
    "/api/model",
    "/api/images",
    "/api/ocr",
    "/api/ocr/detail",
    "/api/classify",
];

fn route(state: &State, request: &mut Request) -> Result<Reply, ApiError> {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let method = request.method().clone();
    match (&method, path) {
        (Method::Get | Method::Head, _) if asset(path).is_some() => {
            let (body, kind) = asset(path).expect("checked");
            Ok(http::bytes(200, kind, body.as_bytes().to_vec()))
        }
        (Method::Get, "/api/model") => Ok(model_info(state)),
        (Method::Get, "/api/images") => {
            Ok(http::json(200, json!(sample_names(state)?).to_string()))
        }
        (Method::Get, p) if p.starts_with("/api/images/") => {
            sample(state, &p["/api/images/".len()..])
        }
        (Method::Post, "/api/ocr") => ocr(state, request, query, false),
        (Method::Post, "/api/ocr/detail") => ocr(state, request, query, true),
        (Method::Post, "/api/classify") => classify(state, request),
        (_, p) if API.contains(&p) || asset(p).is_some() => {
            Err(ApiError::new(405, format!("{p} does not answer {method}")))
        }
        _ => Err(ApiError::new(404, format!("there is nothing at {path}"))),
    }
}

fn model_info(state: &State) -> Reply {
    let (hidden, note) = match &state.model {
        AnyClassifier::Mlp(m) => (Some(m.dims().1), "hidden layer activations"),
        AnyClassifier::Cnn(_) => (None, "first convolution's feature maps"),
        AnyClassifier::Ensemble(_) => (None, "first network's first convolution's feature maps"),
    };
    http::json(
        200,
        json!({
            "file": state.model_file,
            "architecture": state.model.architecture(),
            "classes": state.model.classes(),
            "hidden": hidden,
            "activations": note,
        })
        .to_string(),
    )
}

/// The image files of the samples folder, sorted.
fn sample_names(state: &State) -> Result<Vec<String>, ApiError> {
    let entries = std::fs::read_dir(&state.images)
        .map_err(|_| ApiError::new(404, "the server has no sample photos folder"))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.') && content_type_of(n).is_some())
        .collect();
    names.sort();
    Ok(names)
}

fn content_type_of(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        _ => return None,
    })
}

/// One sample photo by name: only a name the listing gives is served, so no
/// path (`../../etc/passwd`, `%2F`, a symlink's target) leaves the folder.
fn sample(state: &State, raw: &str) -> Result<Reply, ApiError> {
    let name = http::percent_decode(raw)?;
    if name.is_empty() || name.contains(['/', '\\', '\0']) || name.starts_with('.') {
        return Err(ApiError::new(
            400,
            "an image is asked for by its plain file name, never a path",
        ));
    }
    if !sample_names(state)?.contains(&name) {
        return Err(ApiError::new(
            404,
            format!("there is no sample photo named {name}"),
        ));
    }
    let data = std::fs::read(state.images.join(&name))
        .map_err(|_| ApiError::new(404, format!("cannot read the sample photo {name}")))?;
    Ok(http::bytes(
        200,
        content_type_of(&name).unwrap_or("application/octet-stream"),
        data,
    ))
}

/// The body decoded as an image (bounded: see `gradink::ocr::decode_image`).
fn body_image(request: &mut Request, name: &str) -> Result<DynamicImage, ApiError> {
    let body = http::read_body(request)?;
    if body.is_empty() {
        return Err(ApiError::new(
            400,
            "the body is empty; send an image file as the body",
        ));
    }
    image_of(&body, name)
}

fn image_of(bytes: &[u8], name: &str) -> Result<DynamicImage, ApiError> {
    decode_image(bytes, name).map_err(|e| {
        let status = if image::guess_format(bytes).is_err() {
            415
        } else {
            422
        };
        ApiError::new(status, e.to_string())
    })
}

/// Finds and reads the characters of a photo, as `gradink ocr` does
/// (`read_page` is exactly these two calls), with either architecture.
fn read_photo(model: &AnyClassifier, image: &DynamicImage) -> (Letters, Reading) {
    let letters = find_letters(image);
    let reading = read_letters(&letters, model);
    (letters, reading)
}

fn ocr(state: &State, request: &mut Request, query: &str, detail: bool) -> Result<Reply, ApiError> {
    let name = http::query_value(query, "name")?.unwrap_or_else(|| "upload".into());
    let image = body_image(request, &name)?;
    let start = Instant::now();
    let (letters, reading) = read_photo(&state.model, &image);
    let plain = reading_json(&name, &reading);
    if !detail {
        return Ok(http::json(200, plain + "\n"));
    }
    let seconds = start.elapsed().as_secs_f64();
    let lines = reading.lines.len();
    let colours: Vec<String> = (0..lines)
        .map(|l| {
            let c = crate::plot::palette(l);
            format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
        })
        .collect();
    let reading_value: Value = serde_json::from_str(&plain).expect("reading_json is JSON");
    let body = json!({
        "reading": reading_value,
        "width": image.width(),
        "height": image.height(),
        "chars": char_details(&reading),
        "line_colours": colours,
        "binarised": binarised_png(&letters),
        "seconds": seconds,
    });
    Ok(http::json(200, body.to_string()))
}

/// The binarised working page as a PNG data URL (ink black, paper white).
fn binarised_png(letters: &Letters) -> String {
    let (h, w) = letters.bw.dim();
    let page = GrayImage::from_fn(w as u32, h as u32, |x, y| {
        image::Luma([if letters.bw[[y as usize, x as usize]] < 0.5 {
            0
        } else {
            255
        }])
    });
    let mut png = Vec::new();
    let encoded = DynamicImage::ImageLuma8(page)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png);
    if encoded.is_err() {
        return String::new();
    }
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    )
}

/// A JSON body for `/api/classify`: `{"image": "<base64 or a data: URL>"}`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassifyJson {
    image: String,
}

fn classify(state: &State, request: &mut Request) -> Result<Reply, ApiError> {
    let image = if http::content_type(request) == "application/json" {
        let body = http::read_body(request)?;
        let parsed: ClassifyJson = serde_json::from_slice(&body).map_err(|e| {
            ApiError::new(
                400,
                format!("the body is not the JSON expected, {{\"image\": \"<base64>\"}} ({e})"),
            )
        })?;
        let data = parsed
            .image
            .split_once("base64,")
            .map_or(parsed.image.as_str(), |(_, d)| d);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| ApiError::new(400, format!("the image field is not base64 ({e})")))?;
        image_of(&bytes, "drawing")?
    } else {
        body_image(request, "drawing")?
    };
    let reading = read_drawing(&image, &state.model).ok_or_else(|| {
        ApiError::new(422, "the drawing has no ink (nothing darker than mid-grey)")
    })?;
    let round = |v: &f32| (v * 1000.0).round() / 1000.0;
    let top: Vec<Value> = reading
        .top(5)
        .into_iter()
        .map(|(c, p)| json!({ "class": c.to_string(), "p": p }))
        .collect();
    let activations = match &reading.activations {
        Activations::Hidden(v) => json!({
            "kind": "hidden",
            "values": v.iter().map(round).collect::<Vec<f32>>(),
        }),
        Activations::FeatureMaps { maps, side, values } => json!({
            "kind": "feature_maps",
            "maps": maps,
            "side": side,
            "values": values.iter().map(round).collect::<Vec<f32>>(),
        }),
    };
    let body = json!({
        "architecture": state.model.architecture(),
        "top": top,
        "probabilities": reading.probabilities,
        "input": reading.upright_input().iter().map(round).collect::<Vec<f32>>(),
        "activations": activations,
    });
    Ok(http::json(200, body.to_string()))
}
