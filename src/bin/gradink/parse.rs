//! The value parsers every subcommand uses (`value_parser = crate::parse::…`);
//! they live in the library (`gradink::options`) so that `extra_credit`
//! refuses the same values with the same sentences.

pub use gradink::options::*;
