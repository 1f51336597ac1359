//! Reading handwritten capitals and digits out of photos.
//!
//! ```text
//! photo ─ page (grey, working size) ─ binarize (paper divided out)
//!       ─ components ─ find_letters (pieces joined, specks dropped)
//!       ─ lines (reading order, word breaks) ─ crop (NIST-like 32×32)
//!       ─ classifier ─ text
//! ```
//!
//! ```no_run
//! use gradink::ocr::{load_classifier, read_file};
//! let model = load_classifier(gradink::ocr::DEFAULT_MODEL)?; // the MLP, a CNN or an ensemble
//! let reading = read_file("images/01_list.jpg", &model)?;
//! for line in &reading.lines {
//!     println!("{line}");
//! }
//! # Ok::<(), gradink::Error>(())
//! ```

mod binarize;
mod border;
mod components;
mod crop;
mod decode;
mod deskew;
mod drawing;
mod figures;
mod filters;
mod find_letters;
mod join;
mod json;
mod lines;
mod metrics;
mod page;
mod page_crops;
mod read;
mod rules;
mod score;
mod segment;
mod spelling;
mod stroke_core;
mod synth;
mod thin;
mod tilt;
mod touching;

pub use binarize::{estimate_paper, ink_mask, normalise_paper, Paper, INK_THRESHOLD};
pub use border::desk_mask;
pub use components::{label_components, Component};
pub use crop::{crop_glyph, draw_centre_lines, INK_EXTENT, PEN_RADIUS};
pub use decode::{decode_image, MAX_ALLOC, MAX_PIXELS};
pub use deskew::line_slant;
pub use drawing::{
    drawing_input, read_drawing, Activations, DrawingReading, DRAWING_INK, DRAWING_SIDE,
};
pub use figures::{draw_boxes, draw_crops, write_boxes, write_figures};
pub use filters::{gaussian_blur, max_filter, min_filter};
pub use find_letters::{find_letters, find_letters_in, Cut, Glyph, Letters};
pub use json::{char_details, reading_json, CharDetail};
pub use lines::{group_lines, Line, Span};
pub use metrics::{character_accuracy, edit_distance, without_spaces, AssumptionChecks, TextScore};
pub use page::{open_image, working_factor, working_grey, Grey, WORKING_PIXELS};
pub use page_crops::{bank_of, page_crops, truth_of, BoxTruth, MOST_CROPS_PER_PAGE};
pub use read::{
    load_classifier, read_file, read_letters, read_letters_with, read_page, ReadOptions, Reading,
};
pub use score::PageScore;
pub use segment::{split_touching, upright_width};
pub use spelling::{count_words, counts_table, parse_counts, LetterModel, SPELLING_WEIGHT};
pub use synth::{synth_page, GlyphBank, Strength, SynthPage, WrittenChar, SYNTH_WORDS};
pub use thin::thin;
pub use tilt::{page_tilt, turned_spans};
pub use touching::{with_touching, FRAGMENTS_PER_TOUCHING, SINGLES_PER_TOUCHING};

/// Where the shipped reader lives, relative to the repository root: the
/// CNN (docs/cnn.md, "The shipped reader"), the default of `gradink ocr`.
pub const DEFAULT_MODEL: &str = "models/classifier_cnn.safetensors";

/// The course's MLP reader (1024-128-36, sigmoid), relative to the
/// repository root: what the reader was before the CNN.
pub const COURSE_MODEL: &str = "models/classifier.safetensors";
