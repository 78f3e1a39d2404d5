//! The webhook verifier never panics, accepts only the body's true signature,
//! and always accepts it.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use momento_http::webhook::{Verifier, sign};
use std::time::{Duration, UNIX_EPOCH};

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    secret: &'a str,
    header: Option<&'a str>,
    body: &'a [u8],
    now_ms: u64,
    max_age_s: u32,
}

fuzz_target!(|input: Input<'_>| {
    let Some(now) = UNIX_EPOCH.checked_add(Duration::from_millis(input.now_ms)) else {
        return;
    };
    let verifier =
        Verifier::new(input.secret).max_age(Duration::from_secs(input.max_age_s.into()));
    let truth = sign(input.secret, input.body);
    if verifier.verify(input.header, input.body, now).is_ok()
        || verifier.verify_signature(input.header, input.body).is_ok()
    {
        let given = input.header.map(|h| hex::decode(h.trim()));
        assert_eq!(given, Some(hex::decode(&truth)), "a wrong signature passed");
    }
    assert!(verifier.verify_signature(Some(&truth), input.body).is_ok());
});
