//! Conformance placeholder.
