//! Why a check did not pass: a [`Failure`] (behaviour, expected, actual, a
//! curl repro) or a skip with its reason.

/// Why a check did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The behaviour is broken.
    Fail(Failure),
    /// The check cannot run here, and why.
    Skip(String),
}

impl From<Failure> for CheckError {
    fn from(f: Failure) -> Self {
        CheckError::Fail(f)
    }
}

/// A failure message: which behaviour, expected, actual, and how to reproduce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The behaviour in words.
    pub behaviour: String,
    /// What `docs/api.md` says.
    pub expected: String,
    /// What the target did.
    pub actual: String,
    /// A curl command, token replaced by `$MOMENTO_API_KEY`.
    pub repro: Option<String>,
}

impl Failure {
    /// A failure without a request to replay.
    pub fn new(behaviour: &str, expected: &str, actual: impl Into<String>) -> Failure {
        Failure {
            behaviour: behaviour.to_owned(),
            expected: expected.to_owned(),
            actual: actual.into(),
            repro: None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.behaviour)?;
        writeln!(f, "  expected: {}", self.expected)?;
        write!(f, "  actual:   {}", self.actual)?;
        if let Some(r) = &self.repro {
            write!(f, "\n  repro:    {r}")?;
        }
        Ok(())
    }
}

/// A failure for a task of the check that panicked or was cancelled.
pub fn task_failed(what: &str, e: &tokio::task::JoinError) -> CheckError {
    CheckError::Fail(Failure::new(what, "it finishes", e.to_string()))
}

/// Why admin checks are skipped on targets without the emulator's admin API.
pub const NO_ADMIN: &str =
    "needs the emulator's admin API (its health operation did not answer on this target)";
