//! `topic publish` and `topic subscribe` against the emulator.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use momento_http_emulator::{Role, TokenSpec};
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{BIN, CACHE, Emu, bare_cmd, refused_url, resume_point, stderr, stdout};

/// The JSON lines of a `--format jsonl` run.
fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn a_text_message_from_an_argument_arrives_as_a_numbered_line() {
    let emu = Emu::start();
    emu.cmd()
        .args(["topic", "publish", CACHE, "t", "hello world"])
        .assert()
        .success()
        .stdout("")
        .stderr("published 11 bytes (text) to my-cache/t\n");
    let out = emu
        .cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout(&out), "#1 hello world\n");
    let page = emu.page("t");
    assert_eq!(
        stderr(&out),
        format!("received 1 message; resume with: --from 2 --page {page}\n")
    );
}

#[test]
fn a_message_from_stdin_loses_exactly_one_trailing_newline() {
    let emu = Emu::start();
    emu.cmd()
        .args(["topic", "publish", CACHE, "t"])
        .write_stdin("two\nlines\n\n")
        .assert()
        .success();
    let out = emu
        .cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .args(["--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let lines = json_lines(&stdout(&out));
    assert_eq!(lines[0]["text"], "two\nlines\n");
    assert_eq!(lines[0]["type"], "item");
    assert!(lines[0].get("binary").is_none());
}

#[test]
fn a_text_with_a_newline_is_one_quoted_line_in_text_output() {
    let emu = Emu::start();
    emu.publish("t", &["a\nb"]);
    emu.cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .assert()
        .success()
        .stdout("#1 \"a\\nb\"\n");
}

#[test]
fn binary_bytes_from_stdin_arrive_exactly_as_base64() {
    let emu = Emu::start();
    let bytes = vec![0u8, 1, 0xff, b'\n'];
    emu.cmd()
        .args(["topic", "publish", CACHE, "t", "--binary"])
        .write_stdin(bytes)
        .assert()
        .success()
        .stderr(predicate::str::contains("4 bytes (binary)"));
    let out = emu
        .cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .args(["--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let lines = json_lines(&stdout(&out));
    // The trailing newline is data here: --binary sends bytes exactly.
    assert_eq!(lines[0]["binary"], "AAH/Cg==");
    assert!(lines[0].get("text").is_none());
    emu.cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .assert()
        .success()
        .stdout("#1 [4 bytes, base64] AAH/Cg==\n");
}

#[test]
fn binary_bytes_from_a_file_arrive_exactly() {
    let emu = Emu::start();
    let dir = tempdir();
    let file = dir.join("payload.bin");
    std::fs::write(&file, [0xde, 0xad, 0xbe, 0xef]).unwrap();
    emu.cmd()
        .args(["topic", "publish", CACHE, "t", "--binary", "--file"])
        .arg(&file)
        .assert()
        .success();
    emu.cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .args(["--format", "jsonl"])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""binary":"3q2+7w==""#));
}

#[test]
fn bytes_that_are_not_utf8_are_refused_as_text_with_advice() {
    let emu = Emu::start();
    emu.cmd()
        .args(["topic", "publish", CACHE, "t"])
        .write_stdin(vec![0xffu8, 0xfe])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --binary"));
}

#[test]
fn resuming_from_the_printed_cursor_gets_exactly_the_rest() {
    let emu = Emu::start();
    emu.publish("t", &["one", "two", "three"]);
    let first = emu
        .cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "2",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(stdout(&first), "#1 one\n#2 two\n");
    let (from, page) = resume_point(&stderr(&first));
    assert_eq!((from, page), (3, emu.page("t")));
    emu.publish("t", &["four"]);
    emu.cmd()
        .args(["topic", "subscribe", CACHE, "t", "--count", "2"])
        .args(["--from", &from.to_string(), "--page", &page.to_string()])
        .assert()
        .success()
        .stdout("#3 three\n#4 four\n");
}

#[test]
fn an_evicted_range_is_a_gap_that_names_what_was_lost() {
    let emu = Emu::start();
    emu.publish("t", &["m1", "m2", "m3", "m4"]);
    emu.rt
        .block_on(emu.admin().evict_messages(CACHE, "t", 2))
        .expect("evict");
    let page = emu.page("t");
    let out = emu
        .cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "2",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout(&out).replace(&page.to_string(), "[PAGE]");
    insta::assert_snapshot!(text, @r"
    !! gap: messages #1 to #2 were lost (2 messages); next is #3 on page [PAGE]
    #3 m3
    #4 m4
    ");
    assert!(
        stderr(&out).contains("received 2 messages, 1 gap (2 messages lost)"),
        "{}",
        stderr(&out)
    );

    let out = emu
        .cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "2",
        ])
        .args(["--format", "jsonl"])
        .assert()
        .success()
        .get_output()
        .clone();
    let lines = json_lines(&stdout(&out));
    assert_eq!(lines[0]["type"], "discontinuity");
    assert_eq!(
        (
            &lines[0]["lost_first"],
            &lines[0]["lost_last"],
            &lines[0]["lost_count"],
            &lines[0]["new"]
        ),
        (
            &Value::from(1),
            &Value::from(2),
            &Value::from(2),
            &Value::from(3)
        )
    );
    assert_eq!(lines[0]["new_page"], page);
    assert_eq!(lines[1]["sequence_number"], 3);
    assert_eq!(lines.len(), 3);
}

#[test]
fn a_reset_topic_resumed_on_its_old_page_is_a_restart_gap() {
    let emu = Emu::start();
    emu.publish("t", &["old1", "old2"]);
    let old_page = emu.page("t");
    emu.rt
        .block_on(emu.admin().reset_topic(CACHE, "t"))
        .expect("reset");
    emu.publish("t", &["new1"]);
    let out = emu
        .cmd()
        .args(["topic", "subscribe", CACHE, "t", "--count", "1"])
        .args(["--from", "3", "--page", &old_page.to_string()])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("!! gap: the topic restarted"),
        "{text}"
    );
    assert!(lines[0].contains("from #3 on the old page"), "{text}");
    assert_eq!(lines[1], "#1 new1");
    let (from, page) = resume_point(&stderr(&out));
    assert_eq!((from, page), (2, emu.page("t")));
    assert_ne!(page, old_page);
}

#[test]
fn a_timeout_before_count_messages_is_a_negative_answer() {
    let emu = Emu::start();
    emu.cmd()
        .args(["topic", "subscribe", CACHE, "t", "--count", "1"])
        .args(["--timeout", "400ms"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("timed out after 0 of 1 messages"))
        .stderr(predicate::str::contains("nothing to resume from yet"));
}

#[test]
fn a_timeout_alone_ends_the_watch_successfully() {
    let emu = Emu::start();
    emu.publish("t", &["x"]);
    emu.cmd()
        .args(["topic", "subscribe", CACHE, "t", "--from", "1"])
        .args(["--timeout", "400ms"])
        .assert()
        .success()
        .stdout("#1 x\n")
        .stderr(predicate::str::contains("resume with: --from 2 --page"));
}

#[test]
fn ctrl_c_prints_the_cursor_to_resume_from_and_exits_zero() {
    let emu = Emu::start();
    emu.publish("t", &["first"]);
    let mut child = Command::new(BIN)
        .args(["topic", "subscribe", CACHE, "t", "--from", "1"])
        .env("MOMENTO_API_KEY", emu.emulator.api_key())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "#1 first");
    // The subscription is now waiting in a long poll.
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Ctrl-C did not stop it"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert_eq!(resume_point(&err), (2, emu.page("t")));
}

#[test]
fn a_malformed_key_is_a_usage_error_that_names_the_expected_forms() {
    bare_cmd()
        .env("MOMENTO_API_KEY", "not-a-key")
        .args(["topic", "publish", CACHE, "t", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected a v1 key"))
        .stderr(predicate::str::contains("not-a-key").not());
}

#[test]
fn no_key_at_all_says_where_to_put_one() {
    bare_cmd()
        .args(["topic", "subscribe", CACHE, "t"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "set MOMENTO_API_KEY or pass --api-key-file",
        ));
}

#[test]
fn a_key_signed_by_someone_else_is_refused_by_the_server() {
    let emu = Emu::start();
    let forged = momento_http_emulator::mint_offline(
        "not-the-emulators-secret",
        &emu.emulator.base_url(),
        &TokenSpec::full_access(Duration::from_secs(3600)),
    );
    bare_cmd()
        .env("MOMENTO_API_KEY", &forged)
        .args(["topic", "publish", CACHE, "t", "x"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("401"))
        .stderr(predicate::str::contains(&forged).not());
}

#[test]
fn an_expired_key_is_refused_by_the_server() {
    let emu = Emu::start();
    let expired = emu.key(&TokenSpec {
        ttl_seconds: -60,
        ..TokenSpec::full_access(Duration::ZERO)
    });
    bare_cmd()
        .env("MOMENTO_API_KEY", expired)
        .args(["topic", "subscribe", CACHE, "t"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("401"));
}

#[test]
fn a_subscribe_only_key_cannot_publish() {
    let emu = Emu::start();
    let key = emu.key(&TokenSpec {
        role: Role::Subscribe,
        ..TokenSpec::full_access(Duration::from_secs(3600))
    });
    bare_cmd()
        .env("MOMENTO_API_KEY", key)
        .args(["topic", "publish", CACHE, "t", "x"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("403"));
}

#[test]
fn an_unknown_cache_is_a_server_error_naming_the_cache() {
    let emu = Emu::start();
    emu.cmd()
        .args(["topic", "publish", "no-such-cache", "t", "x"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("404"));
}

#[test]
fn a_refused_connection_publishes_nothing_and_says_so() {
    let key = momento_http_emulator::mint_offline(
        "secret",
        &refused_url(),
        &TokenSpec::full_access(Duration::from_secs(3600)),
    );
    bare_cmd()
        .env("MOMENTO_API_KEY", key)
        .args(["topic", "publish", CACHE, "t", "x"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("nothing was delivered"));
}

#[test]
fn a_refused_connection_ends_a_subscription_after_its_retries() {
    let key = momento_http_emulator::mint_offline(
        "secret",
        &refused_url(),
        &TokenSpec::full_access(Duration::from_secs(3600)),
    );
    bare_cmd()
        .env("MOMENTO_API_KEY", key)
        .args(["topic", "subscribe", CACHE, "t", "--retries", "0"])
        .assert()
        .code(3)
        .stdout("")
        .stderr(predicate::str::contains("request failed"));
}

#[test]
fn the_key_can_come_from_a_file() {
    let emu = Emu::start();
    let dir = tempdir();
    let file = dir.join("key.txt");
    std::fs::write(&file, format!("{}\n", emu.emulator.api_key())).unwrap();
    bare_cmd()
        .args([
            "topic",
            "publish",
            CACHE,
            "t",
            "from-file",
            "--api-key-file",
        ])
        .arg(&file)
        .assert()
        .success();
    emu.cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .assert()
        .stdout("#1 from-file\n");
}

#[test]
fn endpoint_overrides_the_keys_and_the_token_can_travel_in_the_query() {
    let emu = Emu::start();
    // The key names a port where nothing listens; --endpoint sends it to the emulator.
    let spec = TokenSpec::full_access(Duration::from_secs(3600));
    let key = emu.key(&spec);
    let elsewhere = bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .env("MOMENTO_ENDPOINT", refused_url())
        .args(["topic", "publish", CACHE, "t", "x"])
        .assert()
        .code(3);
    drop(elsewhere);
    bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .env("MOMENTO_ENDPOINT", refused_url())
        .args([
            "topic",
            "publish",
            CACHE,
            "t",
            "via-query",
            "--auth",
            "query",
        ])
        .args(["--endpoint", &emu.emulator.base_url()])
        .assert()
        .success();
    emu.cmd()
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "1",
        ])
        .args(["--auth", "query"])
        .assert()
        .stdout("#1 via-query\n");
}

#[test]
fn an_unknown_region_is_a_usage_error_listing_the_regions() {
    let emu = Emu::start();
    emu.cmd()
        .args(["topic", "publish", CACHE, "t", "x", "--region", "mars-1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("us-east-1"));
}

/// A fresh directory under the target's temp dir.
fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "momento-http-cli-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn verbose_shows_the_retries_a_subscription_makes() {
    let key = momento_http_emulator::mint_offline(
        "secret",
        &refused_url(),
        &TokenSpec::full_access(Duration::from_secs(3600)),
    );
    bare_cmd()
        .env("MOMENTO_API_KEY", key)
        .args(["-v", "topic", "subscribe", CACHE, "t", "--retries", "1"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("retrying"));
}

#[test]
fn a_closed_pipe_ends_quietly_and_resumes_at_the_message_it_could_not_write() {
    let emu = Emu::start();
    emu.publish("t", &["never read", "nor this"]);
    // A pipe whose reader is gone before the first line: like `| head -0`.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = Command::new(BIN)
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "2",
        ])
        .env("MOMENTO_API_KEY", emu.emulator.api_key())
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(!err.contains("error"), "{err}");
    // Message 1 was yielded by the stream but never written: it is not
    // counted, and resuming starts with it.
    assert!(err.starts_with("received 0 messages;"), "{err}");
    assert_eq!(resume_point(&err).0, 1, "{err}");
}

/// A subscriber of topic `t` from #1, running until `--count 2`, its output
/// piped; `format` is `text` or `jsonl`.
fn watch_two(emu: &Emu, format: &str) -> std::process::Child {
    Command::new(BIN)
        .args([
            "topic",
            "subscribe",
            CACHE,
            "t",
            "--from",
            "1",
            "--count",
            "2",
        ])
        .args(["--format", format])
        .env("MOMENTO_API_KEY", emu.emulator.api_key())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits (at most 10 s) for `child` to exit; its status and stderr.
fn finish(mut child: std::process::Child) -> (std::process::ExitStatus, String) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the subscription did not end");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (status, err)
}

#[test]
fn an_outage_is_reported_as_lost_then_restored_in_jsonl_with_no_message_skipped() {
    let emu = Emu::start();
    emu.publish("t", &["before"]);
    let mut child = watch_two(&emu, "jsonl");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = move || -> Value {
        let line = lines.next().expect("a line").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    assert_eq!(next()["text"], "before");
    // The subscription now waits in a long poll; the outage answers it 503.
    emu.start_outage(momento_http::admin_wire::OutageMode::Unavailable);
    let lost = next();
    assert_eq!(lost["type"], "connection_lost", "{lost}");
    assert_eq!(lost["failures"], 1, "{lost}");
    assert!(lost["retry_in_ms"].is_u64(), "{lost}");
    assert!(lost["error"].as_str().unwrap().contains("503"), "{lost}");
    emu.end_outage();
    emu.publish("t", &["after"]);
    // More failed polls may be reported before the one that succeeds.
    let mut event = next();
    let mut failures = 1;
    while event["type"] == "connection_lost" {
        failures = event["failures"].as_u64().unwrap();
        event = next();
    }
    assert_eq!(event["type"], "connection_restored", "{event}");
    assert_eq!(event["failures"], failures, "{event}");
    assert!(event["away_ms"].is_u64(), "{event}");
    let item = next();
    assert_eq!(item["type"], "item", "{item}");
    assert_eq!(item["sequence_number"], 2, "{item}");
    assert_eq!(item["text"], "after", "{item}");
    let (status, err) = finish(child);
    assert!(status.success(), "{err}");
    assert!(
        !err.contains("connection lost"),
        "jsonl keeps events on stdout: {err}"
    );
    assert_eq!(resume_point(&err), (3, emu.page("t")));
}

#[test]
fn an_outage_is_told_on_stderr_in_text_while_stdout_keeps_only_messages() {
    let emu = Emu::start();
    emu.publish("t", &["before"]);
    let mut child = watch_two(&emu, "text");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "#1 before");
    emu.start_outage(momento_http::admin_wire::OutageMode::Unavailable);
    // Give the waiting poll its 503 before the outage ends.
    std::thread::sleep(Duration::from_millis(300));
    emu.end_outage();
    emu.publish("t", &["after"]);
    assert_eq!(lines.next().unwrap().unwrap(), "#2 after");
    assert!(lines.next().is_none(), "only messages on stdout");
    let (status, err) = finish(child);
    assert!(status.success(), "{err}");
    let lost = err
        .find("connection lost: ")
        .unwrap_or_else(|| panic!("{err}"));
    let restored = err
        .find("connection restored after ")
        .unwrap_or_else(|| panic!("{err}"));
    assert!(lost < restored, "{err}");
}

#[test]
fn a_refused_connection_mid_subscription_is_lost_then_restored_and_resumes_at_its_cursor() {
    let emu = Emu::start();
    emu.publish("t", &["before"]);
    let mut child = watch_two(&emu, "jsonl");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = move || -> Value {
        let line = lines.next().expect("a line").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    assert_eq!(next()["text"], "before");
    // The listener closes: the waiting poll's connection is closed, and new
    // ones are refused by the kernel, as with a host that went away.
    emu.start_outage(momento_http::admin_wire::OutageMode::Refuse);
    let lost = next();
    assert_eq!(lost["type"], "connection_lost", "{lost}");
    emu.end_outage();
    emu.publish("t", &["after"]);
    let mut event = next();
    while event["type"] == "connection_lost" {
        event = next();
    }
    assert_eq!(event["type"], "connection_restored", "{event}");
    let item = next();
    assert_eq!(
        (&item["sequence_number"], &item["text"]),
        (&Value::from(2), &Value::from("after")),
        "{item}"
    );
    let (status, err) = finish(child);
    assert!(status.success(), "{err}");
}
