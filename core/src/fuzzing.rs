//! What every property test of a parser of outside input shares: a fixed
//! seed, a bounded number of cases and no failure files, so the suite is
//! deterministic and takes seconds; and the time one parse may take.

use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use std::time::{Duration, Instant};

/// Cases per property, and the most one parse may take (debug build, busy CI).
pub(crate) const CASES: u32 = 192;
pub(crate) const LIMIT: Duration = Duration::from_millis(500);

pub(crate) fn config() -> Config {
    Config {
        cases: CASES,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x5eed_0b6b),
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    }
}

/// Runs `f`, returning what it gave and how long it took.
pub(crate) fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed())
}
