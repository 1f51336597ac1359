//! The value parsers every subcommand uses (`value_parser = crate::parse::…`);
//! they live in the library (`gradink::options`) so that `extra_credit`
//! refuses the same values with the same sentences.

pub use gradink::options::*;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use std::marker::PhantomData;

/// clap's parser for a library value picked by name ([`Named`]): `--help`
/// lists the names and anything else is refused with them listed.
#[derive(Clone, Copy, Debug)]
pub struct NamedParser<T>(PhantomData<T>);

/// `value_parser = crate::parse::named::<Schedule>()`.
pub fn named<T: Named>() -> NamedParser<T> {
    NamedParser(PhantomData)
}

impl<T: Named + Send + Sync> TypedValueParser for NamedParser<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let name = PossibleValuesParser::new(T::ALL.iter().map(|v| v.name()))
            .parse_ref(cmd, arg, value)?;
        // PossibleValuesParser accepted it, so it is one of T's names.
        Ok(T::named(&name).expect("a listed name"))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::ALL.iter().map(|v| PossibleValue::new(v.name())),
        ))
    }
}
