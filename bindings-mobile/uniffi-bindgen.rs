//! The UniFFI generator, built from this workspace so its version always matches the library's.

fn main() {
    uniffi::uniffi_bindgen_main()
}
