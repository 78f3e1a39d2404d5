//! `cache get`, `cache set` and `cache delete` against the emulator.
//!
//! What the binary stored is checked through the client library too, by the
//! key's bytes: a binary that sent the wrong key or mangled the value would be
//! caught even if its own `get` mangled it back.

use std::time::Duration;

use momento_http::{CacheClient, Credential, TopicClient};
use momento_http_emulator::{Emulator, ManualClock, Role, TokenSpec};
use predicates::prelude::*;

use crate::common::{CACHE, Emu, bare_cmd, refused_url, stderr};

/// An emulator whose cache items expire on `clock`.
fn start_with_clock(clock: &ManualClock) -> Emu {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let emulator = rt
        .block_on(
            Emulator::builder()
                .cache(CACHE)
                .cache_clock(clock.clone())
                .start(),
        )
        .expect("the emulator starts");
    Emu { emulator, rt }
}

/// The library's own cache client for this emulator: the independent oracle.
fn library(emu: &Emu) -> CacheClient {
    TopicClient::builder()
        .credential(Credential::parse(&emu.emulator.api_key()).expect("key"))
        .build()
        .expect("client")
        .cache()
}

/// What the library reads under `key` (bytes), bypassing the binary.
fn stored(emu: &Emu, key: &[u8]) -> Option<Vec<u8>> {
    emu.rt
        .block_on(library(emu).get(CACHE, key.to_vec()))
        .expect("library get")
        .map(|v| v.to_vec())
}

/// `cache get CACHE key` through the binary: (exit status, stdout bytes, stderr).
fn get(emu: &Emu, args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = emu
        .cmd()
        .args(["cache", "get", CACHE])
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().expect("exited"),
        out.stdout.clone(),
        stderr(&out),
    )
}

/// Every byte value, and a trailing newline that must survive.
fn all_bytes() -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..=255).collect();
    bytes.push(b'\n');
    bytes
}

#[test]
fn a_text_value_set_from_an_argument_comes_back_byte_for_byte() {
    let emu = Emu::start();
    emu.cmd()
        .args([
            "cache",
            "set",
            CACHE,
            "greeting",
            "héllo world",
            "--ttl",
            "60",
        ])
        .assert()
        .success()
        .stdout("")
        .stderr("stored 12 bytes under key \"greeting\" in my-cache for 1m\n");
    assert_eq!(stored(&emu, b"greeting"), Some("héllo world".into()));
    let (code, out, err) = get(&emu, &["greeting"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "héllo world".as_bytes(), "no newline added");
}

#[test]
fn a_text_value_from_stdin_loses_exactly_one_trailing_newline() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "--ttl", "1h"])
        .write_stdin("two\nlines\n\n")
        .assert()
        .success();
    assert_eq!(stored(&emu, b"k"), Some(b"two\nlines\n".to_vec()));
    assert_eq!(get(&emu, &["k"]).1, b"two\nlines\n");
}

#[test]
fn binary_bytes_from_stdin_round_trip_byte_for_byte() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "blob", "--binary", "--ttl", "60"])
        .write_stdin(all_bytes())
        .assert()
        .success()
        .stderr(predicate::str::contains("stored 257 bytes"));
    assert_eq!(stored(&emu, b"blob"), Some(all_bytes()));
    let (code, out, err) = get(&emu, &["blob"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, all_bytes());
}

#[test]
fn binary_bytes_from_a_file_round_trip_byte_for_byte() {
    let emu = Emu::start();
    let dir = std::env::temp_dir().join(format!("momento-http-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("blob.bin");
    std::fs::write(&file, all_bytes()).unwrap();
    emu.cmd()
        .args([
            "cache", "set", CACHE, "blob", "--binary", "--ttl", "60", "--file",
        ])
        .arg(&file)
        .assert()
        .success();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(get(&emu, &["blob"]).1, all_bytes());
}

#[test]
fn bytes_that_are_not_utf8_are_refused_as_text_with_advice_and_not_stored() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "blob", "--ttl", "60"])
        .write_stdin(vec![0xffu8, 0xfe])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("add --binary"));
    assert_eq!(stored(&emu, b"blob"), None);
}

#[test]
fn an_empty_value_is_a_hit_not_a_miss() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "empty", "", "--ttl", "60"])
        .assert()
        .success();
    let (code, out, err) = get(&emu, &["empty"]);
    assert_eq!((code, out.len(), err.as_str()), (0, 0, ""));
}

#[test]
fn a_miss_prints_nothing_on_stdout_and_exits_one_saying_so() {
    let emu = Emu::start();
    let (code, out, err) = get(&emu, &["never-set"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(
        err.starts_with("error: miss: my-cache has no item under key \"never-set\""),
        "{err}"
    );
}

#[test]
fn delete_then_get_misses_and_deleting_again_still_succeeds() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "v", "--ttl", "60"])
        .assert()
        .success();
    for _ in 0..2 {
        emu.cmd()
            .args(["cache", "delete", CACHE, "k"])
            .assert()
            .success()
            .stdout("")
            .stderr("deleted key \"k\" from my-cache (if it was there)\n");
    }
    assert_eq!(get(&emu, &["k"]).0, 1);
    assert_eq!(stored(&emu, b"k"), None);
}

#[test]
fn setting_a_key_again_replaces_its_value() {
    let emu = Emu::start();
    for value in ["first", "second"] {
        emu.cmd()
            .args(["cache", "set", CACHE, "k", value, "--ttl", "60"])
            .assert()
            .success();
    }
    assert_eq!(get(&emu, &["k"]).1, b"second");
}

#[test]
fn an_item_is_gone_once_its_ttl_has_passed() {
    let clock = ManualClock::new();
    let emu = start_with_clock(&clock);
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "v", "--ttl", "90s"])
        .assert()
        .success();
    clock.advance(Duration::from_secs(89));
    assert_eq!(get(&emu, &["k"]).0, 0, "still there before its TTL");
    clock.advance(Duration::from_secs(2));
    assert_eq!(get(&emu, &["k"]).0, 1, "gone after its TTL");
}

#[test]
fn a_binary_key_given_in_base64_names_the_items_bytes() {
    let emu = Emu::start();
    // 0x00 0x01 0xff: URL-safe `AAH_`, standard `AAH/`.
    emu.cmd()
        .args([
            "cache",
            "set",
            CACHE,
            "--key-base64",
            "AAH_",
            "bin",
            "--ttl",
            "60",
        ])
        .assert()
        .success()
        .stderr(predicate::str::contains("under key (base64) AAH_"));
    assert_eq!(stored(&emu, &[0, 1, 0xff]), Some(b"bin".to_vec()));
    for spelling in ["AAH_", "AAH/", "AAH/"] {
        let (code, out, err) = get(&emu, &["--key-base64", spelling]);
        assert_eq!(
            (code, out.as_slice()),
            (0, &b"bin"[..]),
            "{spelling}: {err}"
        );
    }
    // The text key "AAH_" is another item.
    assert_eq!(get(&emu, &["AAH_"]).0, 1);
    emu.cmd()
        .args(["cache", "delete", CACHE, "--key-base64", "AAH/"])
        .assert()
        .success();
    assert_eq!(stored(&emu, &[0, 1, 0xff]), None);
}

#[test]
fn a_text_key_that_needs_escaping_is_the_same_item_as_its_bytes_in_base64() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "a b/c?&=", "v", "--ttl", "60"])
        .assert()
        .success();
    assert_eq!(stored(&emu, b"a b/c?&="), Some(b"v".to_vec()));
    // base64("a b/c?&=") = "YSBiL2M_Jj0" (URL-safe, unpadded).
    assert_eq!(get(&emu, &["--key-base64", "YSBiL2M_Jj0"]).1, b"v");
}

#[test]
fn a_key_that_is_not_base64_is_a_usage_error() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "get", CACHE, "--key-base64", "not base64!"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("is not base64"));
}

#[test]
fn an_empty_key_is_a_usage_error_and_nothing_is_sent() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "", "v", "--ttl", "60"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the cache key is empty"));
}

#[test]
fn a_bad_ttl_is_a_usage_error_that_says_what_is_allowed_and_stores_nothing() {
    let emu = Emu::start();
    for (ttl, says) in [
        ("0", "zero"),
        ("0s", "zero"),
        ("25h", "at most 24h"),
        ("86401", "at most 24h"),
        ("soon", "seconds (60) or a duration"),
    ] {
        emu.cmd()
            .args(["cache", "set", CACHE, "k", "v", "--ttl", ttl])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--ttl").and(predicate::str::contains(says)));
    }
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "v"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--ttl <DURATION>"));
    assert_eq!(stored(&emu, b"k"), None);
}

#[test]
fn a_ttl_under_a_second_is_stored_for_a_whole_second_and_says_so() {
    let clock = ManualClock::new();
    let emu = start_with_clock(&clock);
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "v", "--ttl", "200ms"])
        .assert()
        .success()
        .stderr(predicate::str::ends_with("for 1s\n"));
    clock.advance(Duration::from_millis(900));
    assert_eq!(get(&emu, &["k"]).0, 0, "rounded up, not down to zero");
    clock.advance(Duration::from_millis(200));
    assert_eq!(get(&emu, &["k"]).0, 1);
}

#[test]
fn a_ttl_of_exactly_a_day_is_accepted() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "v", "--ttl", "24h"])
        .assert()
        .success();
    assert_eq!(stored(&emu, b"k"), Some(b"v".to_vec()));
}

#[test]
fn a_missing_cache_is_a_server_error_that_says_to_check_the_name_not_a_miss() {
    let emu = Emu::start();
    let set: &[&str] = &["set", "no-such-cache", "k", "v", "--ttl", "60"];
    for args in [
        &["get", "no-such-cache", "k"][..],
        set,
        &["delete", "no-such-cache", "k"],
    ] {
        emu.cmd()
            .arg("cache")
            .args(args)
            .assert()
            .code(3)
            .stdout("")
            // The server's own words vary; the status and the advice do not.
            .stderr(
                predicate::str::starts_with("error: 404 Not Found")
                    .and(predicate::str::contains("check the cache name")),
            );
    }
}

#[test]
fn a_read_only_key_can_get_but_not_set() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "v", "--ttl", "60"])
        .assert()
        .success();
    let key = emu.key(&TokenSpec {
        role: Role::Subscribe,
        ..TokenSpec::full_access(Duration::from_secs(3600))
    });
    bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .args(["cache", "get", CACHE, "k"])
        .assert()
        .success()
        .stdout("v");
    bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .args(["cache", "set", CACHE, "k", "w", "--ttl", "60"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("403"));
    assert_eq!(stored(&emu, b"k"), Some(b"v".to_vec()));
}

#[test]
fn a_refused_connection_is_a_network_error_for_every_command() {
    let key = momento_http_emulator::mint_offline(
        "secret",
        &refused_url(),
        &TokenSpec::full_access(Duration::from_secs(3600)),
    );
    let set: &[&str] = &["set", CACHE, "k", "v", "--ttl", "60"];
    for args in [&["get", CACHE, "k"][..], set, &["delete", CACHE, "k"]] {
        bare_cmd()
            .env("MOMENTO_API_KEY", &key)
            .arg("cache")
            .args(args)
            .args(["--retries", "0"])
            .assert()
            .code(3)
            .stdout("")
            .stderr(
                predicate::str::contains("request failed")
                    .and(predicate::str::contains("check the network")),
            );
    }
}

#[test]
fn retries_are_shown_with_verbose_and_bounded_by_retries() {
    let key = momento_http_emulator::mint_offline(
        "secret",
        &refused_url(),
        &TokenSpec::full_access(Duration::from_secs(3600)),
    );
    let out = bare_cmd()
        .env("MOMENTO_API_KEY", key)
        .args(["cache", "get", CACHE, "k", "--retries", "1", "-v"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let err = stderr(&out);
    assert_eq!(err.matches("retrying cache operation").count(), 1, "{err}");
}

#[test]
fn no_key_at_all_is_a_usage_error() {
    bare_cmd()
        .args(["cache", "get", CACHE, "k"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("MOMENTO_API_KEY"));
}

#[test]
fn the_token_can_travel_in_the_query_for_cache_commands_too() {
    let emu = Emu::start();
    emu.cmd()
        .args([
            "cache", "set", CACHE, "k", "v", "--ttl", "60", "--auth", "query",
        ])
        .assert()
        .success();
    emu.cmd()
        .args(["cache", "get", CACHE, "k", "--auth", "query"])
        .assert()
        .success()
        .stdout("v");
}

#[test]
fn a_closed_pipe_on_get_ends_quietly() {
    let emu = Emu::start();
    emu.cmd()
        .args(["cache", "set", CACHE, "k", "v", "--ttl", "60"])
        .assert()
        .success();
    // A pipe whose reader is gone before the value is written: like `| head -c 0`.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(crate::common::BIN)
        .args(["cache", "get", CACHE, "k"])
        .env("MOMENTO_API_KEY", emu.emulator.api_key())
        .stdout(std::process::Stdio::from(writer))
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8(output.stderr).unwrap();
    assert_eq!((output.status.code(), err.as_str()), (Some(0), ""));
}
