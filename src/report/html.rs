//! The HTML strategy-review page.
