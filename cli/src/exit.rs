//! Exit statuses and the one error type every command returns.
//!
//! | status | meaning |
//! | --- | --- |
//! | 0 | done |
//! | 1 | a negative answer: a cache miss, a bad signature, an expired key, fewer messages than `--count` before `--timeout` |
//! | 2 | usage: bad arguments, no or malformed API key, unreadable input |
//! | 3 | the server refused (4xx, 5xx) or could not be reached |
//!
//! clap itself exits 2 on argument errors, so the table holds for them too.

use std::fmt;
use std::process::ExitCode;

/// The exit statuses this program uses (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Done (0).
    Ok = 0,
    /// A negative answer (1).
    Negative = 1,
    /// Bad usage or local input (2).
    Usage = 2,
    /// The server refused or could not be reached (3).
    Failure = 3,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// What went wrong: the status to exit with and a message for stderr that
/// says what to do.
#[derive(Debug)]
pub struct CliError {
    /// The exit status.
    pub exit: Exit,
    /// The message (printed as `error: {message}`).
    pub message: String,
}

impl CliError {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// A negative answer (exit 1).
    pub fn negative(message: impl Into<String>) -> CliError {
        CliError {
            exit: Exit::Negative,
            message: message.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<momento_http::Error> for CliError {
    /// Input the client refused before sending is usage (2); everything the
    /// server or the network said is a failure (3). The client's messages
    /// already say what to do.
    fn from(err: momento_http::Error) -> CliError {
        let exit = match &err {
            momento_http::Error::InvalidInput { .. } | momento_http::Error::Credential(_) => {
                Exit::Usage
            }
            _ => Exit::Failure,
        };
        CliError {
            exit,
            message: err.to_string(),
        }
    }
}

impl From<momento_http::CredentialError> for CliError {
    fn from(err: momento_http::CredentialError) -> CliError {
        CliError::usage(err.to_string())
    }
}

/// Writing to stdout failed. A closed pipe (`| head`) is a normal end, not an error.
pub fn output_failed(err: std::io::Error) -> CliError {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        CliError {
            exit: Exit::Ok,
            message: String::new(),
        }
    } else {
        CliError {
            exit: Exit::Failure,
            message: format!("cannot write to standard output: {err}"),
        }
    }
}
