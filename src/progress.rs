//! Progress reporting without terminal code: the core calls a [`Progress`], the CLI draws it.

/// Receives progress from long computations. Implementations must be cheap and thread-safe.
pub trait Progress: Sync {
    /// A new phase of `total` steps begins.
    fn start(&self, _label: &str, _total: u64) {}
    /// `n` more steps are done.
    fn advance(&self, _n: u64) {}
    /// The phase is over.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}
