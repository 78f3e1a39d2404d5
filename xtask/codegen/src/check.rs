//! Writing a generated file, or (`--check`) comparing it with the one checked
//! in and showing the first differences.

use std::path::Path;

use anyhow::{Context, Result};

use crate::Output;

/// Writes `generated` over `output.rust`.
pub fn write(root: &Path, output: &Output, generated: &str) -> Result<()> {
    std::fs::write(root.join(output.rust), generated)
        .with_context(|| format!("cannot write {}", output.rust))?;
    println!("wrote {}", output.rust);
    Ok(())
}

/// Whether the checked-in `output.rust` is `generated`; prints the verdict and,
/// when they differ, a unified diff of the first differences.
pub fn matches(root: &Path, output: &Output, generated: &str) -> Result<bool> {
    // A missing file is simply stale.
    let existing = std::fs::read_to_string(root.join(output.rust)).unwrap_or_default();
    if normalise(&existing) == normalise(generated) {
        println!("ok    {} matches {}", output.rust, output.spec);
        return Ok(true);
    }
    println!(
        "STALE {} differs from what {} generates:",
        output.rust, output.spec
    );
    println!("{}", first_differences(output, &existing, generated, 40));
    Ok(false)
}

/// Line endings aside (a Windows checkout), the texts must be equal.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A unified diff of the first `max_lines` changed lines, checked-in vs fresh.
fn first_differences(output: &Output, existing: &str, generated: &str, max_lines: usize) -> String {
    let diff = similar::TextDiff::from_lines(existing, generated);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{} (checked in)", output.rust),
            &format!("{} (from {})", output.rust, output.spec),
        )
        .to_string();
    let mut lines: Vec<&str> = text.lines().take(max_lines).collect();
    if text.lines().count() > max_lines {
        lines.push("... (more differences)");
    }
    lines.join("\n")
}
