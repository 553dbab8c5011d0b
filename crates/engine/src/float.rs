//! Floating-point functions that give the same bits natively and in wasm, where libm's portable code is slow.

/// The square root, correctly rounded: IEEE 754 requires `squareRoot` to be correctly rounded, so the hardware
/// instruction and libm's portable code give the same bits. libm uses the instruction on x86_64 (SSE2) and aarch64,
/// but in wasm only with a nightly-only feature: otherwise it computes the root bit by bit, which took 7.8% of
/// `bench-large` in the workers' module (Chromium's profiler) and about nothing natively. Here wasm gets the
/// `f64.sqrt` instruction; `tests/wasm_determinism.rs` compares it with libm's portable code, bit for bit, in the
/// browser.
#[inline]
pub fn sqrt(x: f64) -> f64 {
    // std's `sqrt` is LLVM's `llvm.sqrt.f64`, which is `f64.sqrt` in wasm (`core::arch::wasm32::f64_sqrt` is not
    // stable yet). The ban on it (clippy.toml) is for one implementation everywhere: this is the correctly rounded
    // one, as libm's is.
    #[cfg(target_arch = "wasm32")]
    #[allow(clippy::disallowed_methods)]
    {
        x.sqrt()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        libm::sqrt(x)
    }
}
