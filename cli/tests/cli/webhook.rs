//! `webhook verify` and `webhook sign`, including a real delivery from the emulator.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::Duration;

use momento_http::EmulatorAdmin;
use momento_http::webhook::{PostUrl, Webhook, WebhookId};
use predicates::prelude::*;

use crate::common::{CACHE, Emu, bare_cmd, stdout};

/// A delivery body published at 2023-11-14T22:13:20Z.
const BODY: &str = r#"{"cache":"c","topic":"t","event_timestamp":1700000000000,"publish_timestamp":1700000000000,"topic_sequence_number":1,"token_id":"","text":"hello"}"#;
const NOW: &str = "1700000000000";

fn signature(secret: &str, body: &str) -> String {
    let out = bare_cmd()
        .args(["webhook", "sign", "--secret", secret])
        .write_stdin(body)
        .assert()
        .success()
        .get_output()
        .clone();
    stdout(&out).trim_end().to_owned()
}

#[test]
fn sign_prints_the_documented_test_vector() {
    bare_cmd()
        .args(["webhook", "sign", "--secret", "1234567890"])
        .write_stdin(r#"{"text":"some text", "another_field": "another field" }"#)
        .assert()
        .success()
        .stdout("b43f72787eb66410ff110295b036ef828e5686af21b414ce092f02c05deea3da\n");
}

#[test]
fn a_signed_body_verifies_and_its_event_is_printed() {
    let sig = signature("s3cret", BODY);
    bare_cmd()
        .args([
            "webhook",
            "verify",
            "--secret",
            "s3cret",
            "--signature",
            &sig,
        ])
        .args(["--now", NOW])
        .write_stdin(BODY)
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""text":"hello""#))
        .stderr("valid\n");
}

#[test]
fn an_altered_body_is_refused_with_exit_one_and_the_reason() {
    let sig = signature("s3cret", BODY);
    bare_cmd()
        .args([
            "webhook",
            "verify",
            "--secret",
            "s3cret",
            "--signature",
            &sig,
        ])
        .args(["--now", NOW])
        .write_stdin(BODY.replace("hello", "hellO"))
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("signature mismatch"));
}

#[test]
fn an_old_delivery_is_a_replay_and_the_message_suggests_now() {
    let sig = signature("s3cret", BODY);
    bare_cmd()
        .args([
            "webhook",
            "verify",
            "--secret",
            "s3cret",
            "--signature",
            &sig,
        ])
        .write_stdin(BODY)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("event too old"))
        .stderr(predicate::str::contains("pass --now"));
}

#[test]
fn now_accepts_rfc3339_and_max_age_moves_the_edge() {
    let sig = signature("s", BODY);
    bare_cmd()
        .args(["webhook", "verify", "--secret", "s", "--signature", &sig])
        .args(["--now", "2023-11-14T22:14:20Z"])
        .write_stdin(BODY)
        .assert()
        .success();
    bare_cmd()
        .args(["webhook", "verify", "--secret", "s", "--signature", &sig])
        .args(["--now", "2023-11-14T22:14:21Z"])
        .write_stdin(BODY)
        .assert()
        .code(1);
    bare_cmd()
        .args(["webhook", "verify", "--secret", "s", "--signature", &sig])
        .args(["--now", "2023-11-14T22:14:21Z", "--max-age", "2m"])
        .write_stdin(BODY)
        .assert()
        .success();
}

#[test]
fn during_a_rotation_either_secret_verifies_and_the_old_one_is_named() {
    let sig = signature("old", BODY);
    bare_cmd()
        .args(["webhook", "verify", "--secret", "new", "--secret", "old"])
        .args(["--signature", &sig, "--now", NOW])
        .write_stdin(BODY)
        .assert()
        .success()
        .stderr(predicate::str::contains("--secret number 2"));
    bare_cmd()
        .args(["webhook", "verify", "--secret", "new", "--signature", &sig])
        .args(["--now", NOW])
        .write_stdin(BODY)
        .assert()
        .code(1);
}

#[test]
fn the_secret_can_come_from_the_environment_and_uppercase_hex_is_accepted() {
    let sig = signature("env-secret", BODY).to_uppercase();
    bare_cmd()
        .env("MOMENTO_WEBHOOK_SECRET", "env-secret")
        .args(["webhook", "verify", "--signature", &sig, "--now", NOW])
        .write_stdin(BODY)
        .assert()
        .success();
}

#[test]
fn no_secret_and_a_bad_time_are_usage_errors() {
    bare_cmd()
        .args(["webhook", "verify", "--signature", "00"])
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--secret"));
    bare_cmd()
        .args(["webhook", "verify", "--secret", "s", "--signature", "00"])
        .args(["--now", "yesterday"])
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("epoch milliseconds"));
}

/// An unset variable in a deploy script must not turn verification off: a
/// body signed with the empty key is refused as a usage error, whichever
/// way the empty secret arrives.
#[test]
fn an_empty_secret_is_a_usage_error_never_a_valid_signature() {
    let forged = momento_http::webhook::sign("", BODY.as_bytes());
    let by_flag = ["--secret", ""];
    let second_flag = ["--secret", "s3cret", "--secret", ""];
    for args in [&by_flag[..], &second_flag[..], &[][..]] {
        bare_cmd()
            .env("MOMENTO_WEBHOOK_SECRET", "")
            .args(["webhook", "verify", "--signature", &forged, "--now", NOW])
            .args(args)
            .write_stdin(BODY)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("empty"))
            .stderr(predicate::str::contains("MOMENTO_WEBHOOK_SECRET"));
    }
    bare_cmd()
        .args(["webhook", "sign", "--secret", ""])
        .write_stdin(BODY)
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn a_malformed_signature_is_a_negative_answer_naming_the_problem() {
    bare_cmd()
        .args(["webhook", "verify", "--secret", "s", "--signature", "abc"])
        .write_stdin(BODY)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("64 hex digits"));
}

/// Accepts one HTTP request on `listener` and returns its raw body and
/// `momento-signature` header, answering 204.
fn receive_one(listener: &TcpListener) -> (Vec<u8>, String) {
    let (mut stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let (head_end, content_length) = loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the connection closed before the request ended");
        data.extend_from_slice(&buf[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse::<usize>().unwrap())
                .unwrap_or(0);
            break (end + 4, length);
        }
    };
    while data.len() < head_end + content_length {
        let n = stream.read(&mut buf).unwrap();
        data.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let signature = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("momento-signature")
                .then(|| value.trim().to_owned())
        })
        .expect("the delivery is signed");
    stream
        .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
        .unwrap();
    (
        data[head_end..head_end + content_length].to_vec(),
        signature,
    )
}

#[test]
fn a_real_delivery_from_the_emulator_verifies_and_fails_after_rotation() {
    let emu = Emu::start();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let admin = EmulatorAdmin::new(&emu.emulator.admin_url()).unwrap();
    let id = WebhookId {
        cache_name: CACHE.into(),
        webhook_name: "hook".into(),
    };
    let secret = emu
        .rt
        .block_on(admin.put_webhook(&Webhook {
            id: id.clone(),
            topic_name: "orders".into(),
            destination: PostUrl {
                post_url: format!("http://{}/hook", listener.local_addr().unwrap()),
            },
        }))
        .unwrap();
    emu.publish("orders", &["order 42"]);
    let (body, signature) = receive_one(&listener);

    bare_cmd()
        .args([
            "webhook",
            "verify",
            "--secret",
            &secret,
            "--signature",
            &signature,
        ])
        .write_stdin(body.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""text":"order 42""#));

    let rotated = emu
        .rt
        .block_on(admin.rotate_webhook_secret(&id))
        .unwrap()
        .secret;
    bare_cmd()
        .args([
            "webhook",
            "verify",
            "--secret",
            &rotated,
            "--signature",
            &signature,
        ])
        .write_stdin(body.clone())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("signature mismatch"));
    bare_cmd()
        .args([
            "webhook", "verify", "--secret", &rotated, "--secret", &secret,
        ])
        .args(["--signature", &signature])
        .write_stdin(body)
        .assert()
        .success();
}

#[test]
fn the_readme_delivery_signs_and_verifies_as_the_readme_shows() {
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/delivery.json"
    ))
    .unwrap();
    let out = bare_cmd()
        .args(["webhook", "sign", "--secret", "s3cret"])
        .write_stdin(body.clone())
        .assert()
        .success()
        .get_output()
        .clone();
    let sig = stdout(&out).trim_end().to_owned();
    bare_cmd()
        .args([
            "webhook",
            "verify",
            "--secret",
            "s3cret",
            "--signature",
            &sig,
        ])
        .args(["--now", "1700000000000"])
        .write_stdin(body)
        .assert()
        .success()
        .stderr("valid\n");
}
