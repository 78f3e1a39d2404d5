//! Request hooks placeholder.
/// Per-client context for generated requests.
#[derive(Debug, Clone, Default)]
pub struct Hooks;
