//! The load tool's integration tests: small runs of the soak, the outage
//! soak and the storm, one module each, in one binary (each test binary
//! links the whole dependency graph again). To add one, add a file here and
//! a `mod` line below.

mod outage_soak_small;
mod soak_small;
mod storm_small;
