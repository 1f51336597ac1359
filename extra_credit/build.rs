//! Lets the binaries and tests find libtorch at run time without
//! LD_LIBRARY_PATH: torch-sys reports its lib folder (DEP_TCH_LIBTORCH_LIB,
//! because it declares `links = "tch"`), and we record it as an rpath.
//!
//! Also sets `cfg(shared_data)` when `../shared/data` (beside the checkout,
//! as in CI) is there: tests that read it are compiled as ignored without it
//! (see tests/common; CI refuses to start without it).

fn main() {
    shared_data_cfg();
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") else {
        return;
    };
    let lib = std::fs::canonicalize(&lib).unwrap_or_else(|_| lib.into());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    // The linker drops libtorch_cuda.so as unused (no symbol of ours refers to
    // it), and then libtorch sees no GPU; keep it whenever the wheel has it.
    if lib.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-ltorch_cuda,--as-needed");
    }
}

fn shared_data_cfg() {
    println!("cargo::rustc-check-cfg=cfg(shared_data)");
    println!("cargo::rerun-if-changed=build.rs");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let shared = std::path::Path::new(&manifest).join("../../shared/data");
    if shared.is_dir() {
        println!("cargo::rerun-if-changed={}", shared.display());
        println!("cargo::rustc-cfg=shared_data");
    }
}
