//! Lets the binaries and tests find libtorch at run time without
//! LD_LIBRARY_PATH: torch-sys reports its lib folder (DEP_TCH_LIBTORCH_LIB,
//! because it declares `links = "tch"`), and we record it as an rpath.

fn main() {
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
