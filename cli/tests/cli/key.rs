//! `key inspect`: what a key says, and that its secret part never shows.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use momento_http_emulator::{Role, TokenSpec};
use predicates::prelude::*;
use serde_json::Value;

use crate::common::{Emu, bare_cmd, stdout};

/// The JWT inside a v1 key.
fn inner_jwt(v1_key: &str) -> String {
    let json: Value = serde_json::from_slice(&URL_SAFE.decode(v1_key).unwrap()).unwrap();
    json["api_key"].as_str().unwrap().to_owned()
}

/// An unsigned-looking JWT with these claims (inspect never checks signatures).
fn jwt(claims: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1zaG93",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims)
    )
}

#[test]
fn an_emulator_key_shows_its_kind_endpoint_expiry_and_scopes_but_not_its_token() {
    let emu = Emu::start();
    let key = emu.key(&TokenSpec {
        caches: Some(vec!["my-cache".into()]),
        topics: Some(vec!["orders".into(), "audit".into()]),
        role: Role::Subscribe,
        ttl_seconds: 3600,
        token_id: Some("tok-test".into()),
    });
    let out = bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .args(["key", "inspect"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = stdout(&out);
    let jwt = inner_jwt(&key);
    for secret in [key.as_str(), jwt.as_str(), jwt.rsplit('.').next().unwrap()] {
        assert!(!text.contains(secret), "the output shows a secret: {text}");
    }
    let base = emu.emulator.base_url();
    let redacted: String = text
        .replace(&base, "[URL]")
        .lines()
        .map(|l| {
            if l.starts_with("issued at:") || l.starts_with("expires at:") {
                format!("{}[TIME]", &l[..13])
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!(redacted, @r"
    kind:        v1 API key or disposable token (base64 JSON: endpoint + JWT)
    endpoint:    [URL]
    base URL:    [URL]/
    region:      (not a Momento region)
    token id:    tok-test
    issued at:   [TIME]
    expires at:  [TIME]
    caches:      my-cache
    role:        subscribe
    topics:      orders, audit
    ");
}

#[test]
fn an_expired_key_is_a_negative_answer() {
    let emu = Emu::start();
    let key = emu.key(&TokenSpec {
        ttl_seconds: -10,
        ..TokenSpec::full_access(Duration::ZERO)
    });
    bare_cmd()
        .env("MOMENTO_API_KEY", key)
        .args(["key", "inspect"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("(EXPIRED)"))
        .stderr(predicate::str::contains("the key expired at"));
}

#[test]
fn a_v2_key_names_no_endpoint_until_one_is_given() {
    let key = jwt(r#"{"t":"g","id":"v2-id","exp":4102444800}"#);
    let out = bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .args(["key", "inspect", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(report["kind"].as_str().unwrap().starts_with("v2 API key"));
    assert_eq!(report["endpoint"], Value::Null);
    assert_eq!(report["expires_at"], "2100-01-01T00:00:00Z");
    assert_eq!(report["token_id"], "v2-id");
    assert!(!stdout(&out).contains("c2lnbmF0dXJl"));

    let out = bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .args([
            "key",
            "inspect",
            "--format",
            "json",
            "--region",
            "eu-west-1",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["region"], "eu-west-1");
    assert_eq!(
        report["base_url"],
        "https://api.cache.cell-1-eu-west-1-1.prod.a.momentohq.com/"
    );
}

#[test]
fn a_momento_v1_key_is_placed_in_its_region() {
    let key = URL_SAFE.encode(format!(
        r#"{{"endpoint":"cell-4-us-west-2-1.prod.a.momentohq.com","api_key":"{}"}}"#,
        jwt(r#"{"sub":"someone@example.com","ver":1,"p":"CgQKAgoA"}"#)
    ));
    bare_cmd()
        .env("MOMENTO_API_KEY", &key)
        .args(["key", "inspect"])
        .assert()
        .success()
        .stdout(predicate::str::contains("region:      us-west-2"))
        .stdout(predicate::str::contains("other claims: p, ver"))
        .stdout(predicate::str::contains("never (no exp claim)"))
        .stdout(predicate::str::contains("CgQKAgoA").not());
}

#[test]
fn a_key_file_that_is_missing_is_a_usage_error() {
    bare_cmd()
        .args(["key", "inspect", "--api-key-file", "/nonexistent/key.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the API key file"));
}
