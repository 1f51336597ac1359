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
//! let model = load_classifier("models/classifier.safetensors")?;
//! let reading = read_file("images/01_list.jpg", &model)?;
//! for line in &reading.lines {
//!     println!("{line}");
//! }
//! # Ok::<(), gradink::Error>(())
//! ```

mod binarize;
mod components;
mod crop;
mod filters;
mod find_letters;
mod lines;
mod metrics;
mod page;
mod read;
mod thin;

pub use binarize::{ink_mask, normalise_paper, INK_THRESHOLD};
pub use components::{label_components, Component};
pub use crop::{crop_glyph, draw_centre_lines, INK_EXTENT, PEN_RADIUS};
pub use filters::{gaussian_blur, max_filter, min_filter};
pub use find_letters::{find_letters, find_letters_in, Glyph, Letters};
pub use lines::{group_lines, Line, Span};
pub use metrics::{character_accuracy, edit_distance, without_spaces};
pub use page::{open_image, working_factor, working_grey, Grey, WORKING_PIXELS};
pub use read::{load_classifier, read_file, read_letters, read_page, Reading};
pub use thin::thin;

/// Where the shipped classifier lives, relative to the repository root.
pub const DEFAULT_MODEL: &str = "models/classifier.safetensors";
