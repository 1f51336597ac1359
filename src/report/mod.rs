//! `gradink report`'s content, callable without the binary: what each stage
//! measured (`sections`, which is `report.json`), the OCR stage (`photos`),
//! the stages' timing and display hooks (`stages`), REPORT.md (`page`), and
//! the small Markdown writer it is written with (`markdown`).

mod markdown;
pub mod page;
pub mod photos;
pub mod sections;
pub mod stages;

pub use markdown::{inline_code, Markdown};
