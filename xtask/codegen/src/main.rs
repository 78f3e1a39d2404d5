//! `xtask-codegen [--check] [--without REWRITE]`: the generator behind
//! `cargo xtask codegen`, in its own package so that nothing else compiles
//! progenitor.
//!
//! For each spec in [`OUTPUTS`], in order:
//!
//! 1. [`spec`]: read the honest spec and give progenitor its view of it;
//! 2. progenitor turns the view into Rust;
//! 3. [`rewrites`]: the named rewrites of progenitor's output, each with its
//!    reason and a guard that fails when the output changes shape;
//! 4. [`facts`]: the wire rules the spec states but the generated types
//!    cannot carry, appended as constants;
//! 5. [`check`]: write the file, or with `--check` compare it with the one
//!    checked in.

mod check;
mod facts;
mod rewrites;
mod spec;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// One spec and the Rust file made of it (paths relative to the workspace root).
pub struct Output {
    /// The OpenAPI 3.0 spec.
    pub spec: &'static str,
    /// The generated file.
    pub rust: &'static str,
    /// The type the hand-written layer hangs its request hooks on, if any.
    pub inner_type: Option<&'static str>,
    /// The constants to export from the spec (see [`facts`]).
    pub facts: &'static [facts::Fact],
}

/// Every generated file. The Topics API carries hooks (auth placement, media
/// type, timeouts) and the wire rules; the emulator's admin API is plain.
pub const OUTPUTS: &[Output] = &[
    Output {
        spec: "openapi/momento-http.yaml",
        rust: "client/src/generated.rs",
        inner_type: Some("crate::hooks::Hooks"),
        facts: facts::TOPICS,
    },
    Output {
        spec: "openapi/emulator-admin.yaml",
        rust: "client/src/generated_admin.rs",
        inner_type: None,
        facts: &[],
    },
];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let mut check = false;
    let mut without = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            // To measure what a rewrite pays (see rewrites/mod.rs): generate
            // without it, build, compare instruction counts.
            "--without" => without.push(args.next().context("--without needs a rewrite name")?),
            other => bail!(
                "unknown argument {other:?}; usage: xtask-codegen [--check] [--without REWRITE]"
            ),
        }
    }
    for name in &without {
        if !rewrites::ALL.iter().any(|r| r.name == name) {
            bail!(
                "no rewrite is named {name:?}; the rewrites are: {}",
                rewrites::ALL
                    .iter()
                    .map(|r| r.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let root = workspace_root();
    let mut stale = Vec::new();
    for output in OUTPUTS {
        let generated = generate(&root, output, &without)
            .with_context(|| format!("generating {} from {}", output.rust, output.spec))?;
        if check {
            if !check::matches(&root, output, &generated)? {
                stale.push(output.rust);
            }
        } else {
            check::write(&root, output, &generated)?;
        }
    }
    if !stale.is_empty() {
        bail!(
            "{} out of date relative to the spec: run `cargo xtask codegen` and commit the \
             result (generated code is never edited by hand)",
            stale.join(", ")
        );
    }
    Ok(())
}

/// The full text of one generated file for the spec currently on disk.
fn generate(root: &Path, output: &Output, without: &[String]) -> Result<String> {
    let spec = spec::Spec::read(&root.join(output.spec))?;
    let view = spec.progenitor_view()?;

    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Positional);
    if let Some(inner) = output.inner_type {
        settings.with_inner_type(
            inner
                .parse()
                .map_err(|e| anyhow::anyhow!("bad inner type {inner}: {e:?}"))?,
        );
    }
    let tokens = progenitor::Generator::new(&settings)
        .generate_tokens(&view)
        .map_err(|e| anyhow::anyhow!("progenitor rejected the view of the spec: {e}"))?;
    let mut file: syn::File = syn::parse2(tokens).context("progenitor produced unparsable Rust")?;

    let context = rewrites::Context {
        hooked: output.inner_type.is_some(),
    };
    rewrites::apply_all(&mut file, &context, without)?;
    facts::append(&mut file, &spec, output.facts)?;

    Ok(format!(
        "// generated from {} by cargo xtask codegen; do not edit\n\n{}",
        output.spec,
        prettyplease::unparse(&file)
    ))
}

/// The workspace root: this package lives at `xtask/codegen/`.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
