//! The report: one [`CheckResult`] per check, rendered as a table, JSON
//! (`{target, checks, summary}`) or JUnit XML, closed by `N passed, N failed,
//! N skipped, N differs` and the run's figures (wall time, requests, 429s).

use crate::target::RunFigures;
use serde::Serialize;
use std::fmt::Write as _;

/// How strongly `docs/api.md` backs the behaviour a check proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Evidence {
    /// Documented by Momento.
    D,
    /// Inferred from what Momento's own SDKs or examples show the server
    /// doing (client-side validation in an SDK is no evidence).
    I,
    /// Unknown upstream: the project's own choice.
    C,
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Evidence::D => "D",
            Evidence::I => "I",
            Evidence::C => "C",
        })
    }
}

/// What happened to one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The target behaves as `docs/api.md` says.
    Pass,
    /// The target breaks a documented or inferred behaviour (or, on the
    /// emulator, the project's own choice).
    Fail,
    /// Not run, with the reason in `detail`.
    Skip,
    /// A non-emulator target differs from the project's (C) choice: reported,
    /// never counted as a failure.
    Differs,
}

impl Outcome {
    /// The word used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "skip",
            Outcome::Differs => "differs",
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable id, e.g. `publish.text.204`.
    pub id: String,
    /// Evidence level of the behaviour.
    pub evidence: Evidence,
    /// The `docs/api.md` section it proves, e.g. `§3`.
    pub spec: String,
    /// What happened.
    pub outcome: Outcome,
    /// Empty on pass; expected, actual and a curl repro on failure; the reason on skip.
    pub detail: String,
    /// Wall time.
    pub duration_ms: u64,
}

/// Counts per outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks skipped.
    pub skipped: usize,
    /// Checks where a non-emulator target differs from a (C) choice.
    pub differs: usize,
}

/// A whole run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// What was tested, e.g. `in-process emulator (http://127.0.0.1:1234)`.
    pub target: String,
    /// One entry per check, in registry order.
    pub checks: Vec<CheckResult>,
    /// The run's wall time, requests and 429s met.
    pub figures: RunFigures,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    target: &'a str,
    checks: &'a [CheckResult],
    summary: JsonSummary,
}

/// The JSON summary: counts per outcome beside the run's figures.
#[derive(Serialize)]
struct JsonSummary {
    #[serde(flatten)]
    outcomes: Summary,
    #[serde(flatten)]
    figures: RunFigures,
}

/// The output formats of `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned text for terminals, with failure details below.
    Table,
    /// `{"target", "checks": [...], "summary": {...}}`.
    Json,
    /// JUnit XML for CI systems.
    Junit,
}

impl Report {
    /// Counts per outcome.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.checks {
            match c.outcome {
                Outcome::Pass => s.passed += 1,
                Outcome::Fail => s.failed += 1,
                Outcome::Skip => s.skipped += 1,
                Outcome::Differs => s.differs += 1,
            }
        }
        s
    }

    /// `N passed, N failed, N skipped` (plus `, N differs` when any), then
    /// the run's figures: `in 12.3 s, N requests, N answered 429 (waited
    /// out and sent again)`.
    pub fn closing_line(&self) -> String {
        let s = self.summary();
        let mut line = format!(
            "{} passed, {} failed, {} skipped",
            s.passed, s.failed, s.skipped
        );
        if s.differs > 0 {
            let _ = write!(line, ", {} differs from the project's choice", s.differs);
        }
        let f = self.figures;
        let _ = write!(
            line,
            "; in {:.1} s, {} requests, {} answered 429 (waited out and sent again)",
            f.wall_time_ms as f64 / 1000.0,
            f.requests,
            f.answered_429
        );
        line
    }

    /// True when no check failed (differs and skips do not count).
    pub fn success(&self) -> bool {
        self.summary().failed == 0
    }

    /// Render in the given format.
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Table => self.to_table(),
            ReportFormat::Json => self.to_json(),
            ReportFormat::Junit => self.to_junit(),
        }
    }

    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let json = JsonReport {
            target: &self.target,
            checks: &self.checks,
            summary: JsonSummary {
                outcomes: self.summary(),
                figures: self.figures,
            },
        };
        let mut s = serde_json::to_string_pretty(&json)
            .unwrap_or_else(|e| format!("{{\"error\": \"report not serialisable: {e}\"}}"));
        s.push('\n');
        s
    }

    /// The terminal table: check, evidence, outcome, time; then the details
    /// of every failure, difference and skip; then the closing line.
    pub fn to_table(&self) -> String {
        let width = self
            .checks
            .iter()
            .map(|c| c.id.len())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut out = String::new();
        let _ = writeln!(out, "target: {}", self.target);
        let _ = writeln!(
            out,
            "{:<width$}  {:<8}  {:<7}  {:>8}",
            "check", "evidence", "outcome", "time"
        );
        for c in &self.checks {
            let _ = writeln!(
                out,
                "{:<width$}  {:<8}  {:<7}  {:>6}ms",
                c.id,
                c.evidence,
                c.outcome.as_str(),
                c.duration_ms
            );
        }
        for c in &self.checks {
            if c.outcome == Outcome::Pass || c.detail.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "\n--- {} ({}, {} {}) ---",
                c.id,
                c.outcome.as_str(),
                c.evidence,
                c.spec
            );
            let _ = writeln!(out, "{}", c.detail.trim_end());
        }
        let _ = writeln!(out, "\n{}", self.closing_line());
        out
    }

    /// JUnit XML: one `testcase` per check; `differs` is reported as skipped
    /// with a message that says so.
    pub fn to_junit(&self) -> String {
        let s = self.summary();
        let total_ms: u64 = self.checks.iter().map(|c| c.duration_ms).sum();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"momento-http-conformance\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{}\">",
            self.checks.len(),
            s.failed,
            s.skipped + s.differs,
            secs(total_ms)
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{}\">",
            xml(&self.target),
            self.checks.len(),
            s.failed,
            s.skipped + s.differs,
            secs(total_ms)
        );
        for c in &self.checks {
            let open = format!(
                "    <testcase classname=\"conformance.{}\" name=\"{}\" time=\"{}\"",
                c.evidence,
                xml(&c.id),
                secs(c.duration_ms)
            );
            match c.outcome {
                Outcome::Pass => {
                    let _ = writeln!(out, "{open}/>");
                }
                Outcome::Fail => {
                    let first = c.detail.lines().next().unwrap_or("failed");
                    let _ = writeln!(out, "{open}>");
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\">{}</failure>",
                        xml(first),
                        xml(&c.detail)
                    );
                    let _ = writeln!(out, "    </testcase>");
                }
                Outcome::Skip | Outcome::Differs => {
                    let msg = if c.outcome == Outcome::Differs {
                        format!("differs from the project's choice: {}", c.detail)
                    } else {
                        c.detail.clone()
                    };
                    let _ = writeln!(out, "{open}>");
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", xml(&msg));
                    let _ = writeln!(out, "    </testcase>");
                }
            }
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}
