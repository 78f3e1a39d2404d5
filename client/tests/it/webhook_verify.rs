//! What the webhook verifier accepts, pinned: header spelling, body shape,
//! the exact edges of the replay window, and two secrets during a rotation.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use momento_http::webhook::{DEFAULT_MAX_AGE, Verifier, WebhookError, sign, verify, verify_any};

/// A fixed "now" so every age is exact.
const NOW_MS: u64 = 1_700_000_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(NOW_MS)
}

/// A well-formed delivery body published at `publish_timestamp` (raw JSON text).
fn body_with_timestamp(publish_timestamp: &str) -> Vec<u8> {
    format!(
        r#"{{"cache":"c","topic":"t","event_timestamp":{NOW_MS},"publish_timestamp":{publish_timestamp},"topic_sequence_number":7,"token_id":"tok","text":"hello"}}"#
    )
    .into_bytes()
}

fn body_at(publish_ms: u64) -> Vec<u8> {
    body_with_timestamp(&publish_ms.to_string())
}

#[test]
fn an_uppercase_hex_signature_is_accepted() {
    let body = body_at(NOW_MS);
    let upper = sign("s", &body).to_uppercase();
    assert_ne!(
        upper,
        sign("s", &body),
        "the signature has letters to raise"
    );
    assert!(verify("s", Some(&upper), &body, now()).is_ok());
}

#[test]
fn a_mixed_case_signature_is_accepted() {
    let body = body_at(NOW_MS);
    let mixed: String = sign("s", &body)
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 0 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    assert!(verify("s", Some(&mixed), &body, now()).is_ok());
}

#[test]
fn whitespace_around_the_signature_is_ignored() {
    let body = body_at(NOW_MS);
    let signature = sign("s", &body);
    for padded in [
        format!(" {signature}"),
        format!("{signature} "),
        format!("\t{signature}\t "),
    ] {
        assert!(
            verify("s", Some(&padded), &body, now()).is_ok(),
            "{padded:?} was refused"
        );
    }
}

#[test]
fn whitespace_inside_the_signature_is_malformed() {
    let body = body_at(NOW_MS);
    let signature = sign("s", &body);
    let split = format!("{} {}", &signature[..32], &signature[33..]);
    assert!(matches!(
        verify("s", Some(&split), &body, now()),
        Err(WebhookError::MalformedSignature { .. })
    ));
}

#[test]
fn the_malformed_signature_message_matches_what_is_accepted() {
    let err = verify("s", Some("abc"), &body_at(NOW_MS), now()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("64 hex digits"), "{text}");
    assert!(
        !text.contains("lowercase"),
        "uppercase is accepted, so the message must not demand lowercase: {text}"
    );
}

#[test]
fn a_signature_with_a_prefix_is_malformed_not_a_mismatch() {
    let body = body_at(NOW_MS);
    let prefixed = format!("sha3={}", sign("s", &body));
    assert!(matches!(
        verify("s", Some(&prefixed), &body, now()),
        Err(WebhookError::MalformedSignature { .. })
    ));
}

#[test]
fn a_float_publish_timestamp_is_refused_after_a_valid_signature_and_named() {
    for written in ["1700000000000.0", "1.7e12", "1700000000.5"] {
        let body = body_with_timestamp(written);
        let signature = sign("s", &body);
        // The signature itself is fine ...
        Verifier::new("s")
            .verify_signature(Some(&signature), &body)
            .unwrap();
        // ... the body is not a Momento event.
        let err = verify("s", Some(&signature), &body, now()).unwrap_err();
        let WebhookError::InvalidBody { reason } = &err else {
            panic!("{written}: expected InvalidBody, got {err:?}");
        };
        assert!(reason.contains("publish_timestamp"), "{reason}");
        assert!(reason.contains("epoch milliseconds"), "{reason}");
    }
}

#[test]
fn a_negative_publish_timestamp_is_refused_and_named() {
    let body = body_with_timestamp("-1");
    let err = verify("s", Some(&sign("s", &body)), &body, now()).unwrap_err();
    assert!(
        matches!(&err, WebhookError::InvalidBody { reason } if reason.contains("publish_timestamp")),
        "{err:?}"
    );
}

#[test]
fn a_float_body_under_a_wrong_signature_is_a_mismatch_and_never_read() {
    // A bad signature on a float body is a mismatch: the body is never read.
    let body = body_with_timestamp("1.7e12");
    let wrong = sign("other", &body);
    assert_eq!(
        verify("s", Some(&wrong), &body, now()).unwrap_err(),
        WebhookError::Mismatch
    );
}

#[test]
fn an_event_exactly_sixty_seconds_old_is_accepted() {
    assert_eq!(DEFAULT_MAX_AGE, Duration::from_secs(60));
    let body = body_at(NOW_MS - 60_000);
    assert!(verify("s", Some(&sign("s", &body)), &body, now()).is_ok());
}

#[test]
fn an_event_one_millisecond_older_than_sixty_seconds_is_too_old() {
    let body = body_at(NOW_MS - 60_001);
    assert_eq!(
        verify("s", Some(&sign("s", &body)), &body, now()).unwrap_err(),
        WebhookError::TooOld {
            age_ms: 60_001,
            max_age_ms: 60_000
        }
    );
}

#[test]
fn an_event_exactly_sixty_seconds_ahead_is_accepted() {
    let body = body_at(NOW_MS + 60_000);
    assert!(verify("s", Some(&sign("s", &body)), &body, now()).is_ok());
}

#[test]
fn an_event_one_millisecond_beyond_sixty_seconds_ahead_is_from_the_future() {
    let body = body_at(NOW_MS + 60_001);
    assert_eq!(
        verify("s", Some(&sign("s", &body)), &body, now()).unwrap_err(),
        WebhookError::InTheFuture { ahead_ms: 60_001 }
    );
}

#[test]
fn a_custom_window_has_the_same_inclusive_edges() {
    let verifier = Verifier::new("s").max_age(Duration::from_secs(5));
    for (offset, ok) in [
        (-5_000i64, true),
        (-5_001, false),
        (5_000, true),
        (5_001, false),
    ] {
        let body = body_at(NOW_MS.checked_add_signed(offset).unwrap());
        let result = verifier.verify(Some(&sign("s", &body)), &body, now());
        assert_eq!(result.is_ok(), ok, "offset {offset} ms: {result:?}");
    }
}

#[test]
fn during_a_rotation_both_the_old_and_the_new_secret_verify() {
    let verifier = Verifier::new("new").also_accept("old");
    let body = body_at(NOW_MS);
    let event = verifier
        .verify(Some(&sign("old", &body)), &body, now())
        .unwrap();
    assert_eq!(event.text, "hello");
    assert!(
        verifier
            .verify(Some(&sign("new", &body)), &body, now())
            .is_ok()
    );
}

#[test]
fn the_matching_secret_is_reported_by_its_position() {
    let verifier = Verifier::new("new").also_accept("old").also_accept("older");
    let body = body_at(NOW_MS);
    assert_eq!(
        verifier.matching_secret(Some(&sign("new", &body)), &body),
        Ok(0)
    );
    assert_eq!(
        verifier.matching_secret(Some(&sign("old", &body)), &body),
        Ok(1)
    );
    assert_eq!(
        verifier.matching_secret(Some(&sign("older", &body)), &body),
        Ok(2)
    );
}

#[test]
fn a_third_secret_is_still_a_mismatch_during_a_rotation() {
    let verifier = Verifier::new("new").also_accept("old");
    let body = body_at(NOW_MS);
    assert_eq!(
        verifier
            .verify(Some(&sign("stranger", &body)), &body, now())
            .unwrap_err(),
        WebhookError::Mismatch
    );
}

#[test]
fn a_rotation_does_not_widen_the_replay_window() {
    let verifier = Verifier::new("new").also_accept("old");
    let body = body_at(NOW_MS - 60_001);
    assert!(matches!(
        verifier.verify(Some(&sign("old", &body)), &body, now()),
        Err(WebhookError::TooOld { .. })
    ));
}

#[test]
fn verify_any_accepts_a_slice_of_strs_or_strings() {
    let body = body_at(NOW_MS);
    let signature = sign("old", &body);
    assert!(verify_any(&["old", "new"], Some(&signature), &body, now()).is_ok());
    let owned = vec!["new".to_owned(), "old".to_owned()];
    assert!(verify_any(&owned, Some(&signature), &body, now()).is_ok());
    assert_eq!(
        verify_any(&["new"], Some(&signature), &body, now()).unwrap_err(),
        WebhookError::Mismatch
    );
}

#[test]
fn verify_any_with_no_secrets_verifies_nothing() {
    let body = body_at(NOW_MS);
    let none: &[&str] = &[];
    assert_eq!(
        verify_any(none, Some(&sign("", &body)), &body, now()).unwrap_err(),
        WebhookError::Mismatch
    );
}

#[test]
fn debug_shows_neither_secret() {
    let verifier = Verifier::new("new-secret-value").also_accept("old-secret-value");
    let debug = format!("{verifier:?}");
    assert!(!debug.contains("secret-value"), "{debug}");
    assert!(debug.contains("2 redacted"), "{debug}");
}

/// An empty secret verifies nothing, not even a body signed with the empty
/// key: wherever it stands among the secrets, the error names it.
#[test]
fn an_empty_secret_is_refused_even_for_a_body_signed_with_it() {
    let body = body_at(NOW_MS);
    let forged = sign("", &body);
    assert_eq!(
        verify("", Some(&forged), &body, now()).unwrap_err(),
        WebhookError::EmptySecret { index: 0 }
    );
    let rotating = Verifier::new("new").also_accept("");
    assert_eq!(
        rotating.verify(Some(&forged), &body, now()).unwrap_err(),
        WebhookError::EmptySecret { index: 1 }
    );
    assert_eq!(
        rotating.matching_secret(Some(&sign("new", &body)), &body),
        Err(WebhookError::EmptySecret { index: 1 }),
        "a good signature does not excuse an empty secret beside it"
    );
    assert_eq!(
        verify_any(&["old", ""], Some(&forged), &body, now()).unwrap_err(),
        WebhookError::EmptySecret { index: 1 }
    );
    let message = WebhookError::EmptySecret { index: 0 }.to_string();
    assert!(message.contains("environment variable"), "{message}");
}
