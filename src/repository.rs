//! The files shipped in the repository (the readers, the sample photos, the
//! held-out glyphs), found from the working folder or, failing that, beside
//! this crate's manifest, so the commands also work when run from elsewhere.

use crate::data::choice::in_repository;
use crate::ocr::{COURSE_MODEL, DEFAULT_MODEL};
use std::path::PathBuf;

/// The sample photos (with their true text beside them).
pub const SAMPLE_PHOTOS: &str = "images";
/// The held-out glyph sheet `gradink synth-pages` writes with by default.
pub const FIXTURE_GLYPHS: &str = "tests/fixtures/heldout_glyphs.png";

/// The shipped reader, the CNN ([`DEFAULT_MODEL`]).
pub fn default_model() -> PathBuf {
    in_repository(DEFAULT_MODEL)
}

/// The course's MLP reader ([`COURSE_MODEL`]).
pub fn course_model() -> PathBuf {
    in_repository(COURSE_MODEL)
}
