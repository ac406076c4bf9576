//! Generated portfolios of any size, for benchmarks and property tests (deterministic per seed).
