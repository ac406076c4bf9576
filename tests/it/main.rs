//! Integration tests: the real binary on shipped scenarios and bad fixtures, and the library's
//! properties across modules. One test binary, as matklad recommends.

mod cli;
mod common;
mod diff;
mod import;
mod objectives;
mod plan;
mod reference;
mod repeat;
mod report;
mod robust;
mod scenario;
mod simulate;
mod teams;
