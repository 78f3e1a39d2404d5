//! Every command's help, pinned, plus completions and usage errors.

use predicates::prelude::*;

use crate::common::{bare_cmd, stdout};

fn help(args: &[&str]) -> String {
    let out = bare_cmd()
        .args(args)
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .clone();
    stdout(&out)
}

#[test]
fn every_commands_help_reads_as_pinned() {
    for args in [
        &[][..],
        &["topic"],
        &["topic", "publish"],
        &["topic", "subscribe"],
        &["cache"],
        &["cache", "get"],
        &["cache", "set"],
        &["cache", "delete"],
        &["webhook"],
        &["webhook", "verify"],
        &["webhook", "sign"],
        &["key"],
        &["key", "inspect"],
        &["completions"],
    ] {
        let name = if args.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", args.join("_"))
        };
        insta::assert_snapshot!(name, help(args));
    }
}

#[test]
fn the_top_level_help_documents_the_exit_statuses() {
    let text = help(&[]);
    for line in [
        "0  done",
        "1  a negative answer",
        "2  usage",
        "3  the server refused",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        bare_cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("subscribe"));
    }
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    bare_cmd()
        .args(["topic", "frobnicate"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand"));
}

#[test]
fn page_without_from_is_a_usage_error() {
    bare_cmd()
        .args(["topic", "subscribe", "c", "t", "--page", "3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--from"));
}

#[test]
fn the_version_is_printed() {
    bare_cmd()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("momento-http "));
}
