//! Writes the report folder.
