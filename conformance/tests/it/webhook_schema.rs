//! The WebhookEvent schema, read from openapi/momento-http.yaml: the
//! documented example passes; each missing key, wrong type and extra nesting
//! fails with a message naming the key.

use momento_http_conformance::schema::WebhookEventValidator;
use serde_json::{Value, json};

fn example() -> Value {
    json!({
        "cache": "my-cache",
        "topic": "my-topic",
        "event_timestamp": 1_748_358_253_000u64,
        "publish_timestamp": 1_748_358_253_010u64,
        "topic_sequence_number": 104,
        "token_id": "",
        "text": "hello world"
    })
}

const KEYS: [&str; 7] = [
    "cache",
    "topic",
    "event_timestamp",
    "publish_timestamp",
    "topic_sequence_number",
    "token_id",
    "text",
];

#[test]
fn the_documented_example_is_a_valid_webhook_event() {
    let v = WebhookEventValidator::load().unwrap();
    assert_eq!(v.problems(&example()), Vec::<String>::new());
}

#[test]
fn each_missing_key_fails_naming_the_key() {
    let v = WebhookEventValidator::load().unwrap();
    for key in KEYS {
        let mut body = example();
        body.as_object_mut().unwrap().remove(key);
        let problems = v.problems(&body);
        assert!(
            problems.iter().any(|p| p.contains(key)),
            "without {key}: {problems:?}"
        );
    }
}

#[test]
fn each_wrong_type_fails_naming_the_key() {
    let v = WebhookEventValidator::load().unwrap();
    for key in KEYS {
        let mut body = example();
        let wrong = if body[key].is_string() {
            json!(12)
        } else {
            json!("12")
        };
        body[key] = wrong;
        let problems = v.problems(&body);
        assert!(
            problems.iter().any(|p| p.contains(key)),
            "{key} with a wrong type: {problems:?}"
        );
    }
}

#[test]
fn an_event_nested_one_level_too_deep_fails_naming_the_keys() {
    let v = WebhookEventValidator::load().unwrap();
    let body = json!({ "event": example() });
    let problems = v.problems(&body).join("\n");
    for key in KEYS {
        assert!(problems.contains(key), "nested: {problems}");
    }
}

#[test]
fn negative_numbers_fail() {
    let v = WebhookEventValidator::load().unwrap();
    let mut body = example();
    body["topic_sequence_number"] = json!(-1);
    assert!(!v.problems(&body).is_empty());
}
