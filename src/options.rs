//! Value parsers for command-line options, shared by every subcommand of
//! `gradink` and by `extra_credit`, so a size or a rate that makes no sense
//! is refused before anything runs, with one sentence naming it (clap
//! prefixes it with the option: `invalid value '0' for '--hidden <HIDDEN>': …`).
//! Plain `fn(&str) -> Result<T, String>`, usable as clap's `value_parser`
//! without the library depending on clap.

/// The most epochs any command accepts. Far beyond any useful run (the
/// default is 30; docs/robustness.md), and small enough that a typo such as
/// `--epochs 1000000000` is refused instead of running for years.
pub const MAX_EPOCHS: usize = 1_000_000;

/// A count that must be at least 1: hidden units, batch sizes, samples.
pub fn positive(s: &str) -> Result<usize, String> {
    let n = count(s)?;
    if n == 0 {
        return Err("must be at least 1 (zero would leave nothing to compute)".into());
    }
    Ok(n)
}

/// A count that may be 0 (copies, warm-up epochs).
pub fn count(s: &str) -> Result<usize, String> {
    s.trim()
        .parse::<usize>()
        .map_err(|_| format!("expected a whole number from 0 to {}", usize::MAX))
}

/// Epochs: at least 1, at most [`MAX_EPOCHS`].
pub fn epochs(s: &str) -> Result<usize, String> {
    let n = positive(s)?;
    if n > MAX_EPOCHS {
        return Err(format!(
            "at most {MAX_EPOCHS} epochs (a typo? the default is 30)"
        ));
    }
    Ok(n)
}

/// A learning rate: a finite number above 0.
pub fn rate(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| "expected a number such as 0.3 or 3e-5".to_string())?;
    if !x.is_finite() || x <= 0.0 {
        return Err("the learning rate must be a finite number above 0".into());
    }
    Ok(x)
}

/// A fraction: a finite number in 0 ≤ x ≤ 1 (an accuracy such as 0.62).
pub fn fraction(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| "expected a number from 0 to 1 such as 0.62".to_string())?;
    if !(0.0..=1.0).contains(&x) {
        return Err("must be a number from 0 to 1 (a fraction, not a percentage)".into());
    }
    Ok(x)
}

/// A momentum coefficient: a finite number in 0 ≤ μ < 1.
pub fn momentum(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| "expected a number such as 0.9".to_string())?;
    if !(0.0..1.0).contains(&x) {
        return Err("the momentum must be at least 0 and below 1".into());
    }
    Ok(x)
}

/// A value an option picks from a fixed list by name (`--schedule cosine`).
/// The library lists the names; the binary's parser offers and checks them,
/// so the library's types need no command-line crate.
pub trait Named: Copy + 'static {
    /// Every value, in the order `--help` lists them.
    const ALL: &'static [Self];
    /// The name on the command line and in summaries.
    fn name(self) -> &'static str;
    /// The value called `name`, if any.
    fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.name() == name)
    }
}

/// Implements [`Named`] and `Display` (the name) for a fieldless enum:
/// `named_values!(Schedule { Constant => "constant", Cosine => "cosine" });`
/// lists each value once, with its name, in the order `--help` shows them.
#[macro_export]
macro_rules! named_values {
    ($type:ident { $($value:ident => $name:literal),+ $(,)? }) => {
        impl $crate::options::Named for $type {
            const ALL: &'static [Self] = &[$($type::$value),+];
            fn name(self) -> &'static str {
                match self {
                    $($type::$value => $name),+
                }
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::options::Named::name(*self))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_makes_no_sense() {
        assert!(positive("0").is_err());
        assert!(positive("-1").is_err());
        assert_eq!(positive("64"), Ok(64));
        assert!(epochs("18446744073709551615").is_err());
        assert!(epochs("1000000000").is_err());
        assert_eq!(epochs("30"), Ok(30));
        for bad in ["-1", "0", "nan", "inf", "-inf", "1e400", "x"] {
            assert!(rate(bad).is_err(), "{bad}");
        }
        assert_eq!(rate("1e30"), Ok(1e30));
        assert!(momentum("1").is_err() && momentum("nan").is_err());
        for bad in ["-0.1", "1.5", "62", "nan", "inf", "x"] {
            assert!(fraction(bad).is_err(), "{bad}");
        }
        assert_eq!(fraction("0.62"), Ok(0.62));
    }

    /// Every named value reads back from its name, the names are distinct,
    /// and they are spelt as the summaries' JSON spells them.
    #[test]
    fn named_values_read_back_from_their_names() {
        fn check<T: Named + PartialEq + std::fmt::Debug + serde::Serialize>() {
            let names: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
            for (v, name) in T::ALL.iter().zip(&names) {
                assert_eq!(T::named(name), Some(*v));
                assert_eq!(serde_json::to_string(v).unwrap(), format!("\"{name}\""));
            }
            let mut unique = names.clone();
            unique.dedup();
            assert_eq!(unique.len(), names.len());
            assert_eq!(T::named("no-such-name"), None);
        }
        check::<crate::train::Schedule>();
        check::<crate::train_autoencoder::OptimizerKind>();
        check::<crate::ae_recipe::AeRecipe>();
        check::<crate::models::AeInit>();
        check::<crate::runs::train::Arch>();
    }
}
