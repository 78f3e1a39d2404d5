//! A webhook receiver that verifies every delivery before trusting it.
//!
//! ```text
//! MOMENTO_WEBHOOK_SECRET=... [MOMENTO_WEBHOOK_OLD_SECRET=...] [LISTEN=127.0.0.1:3000] \
//!     cargo run -p momento-http --example webhook_receiver
//! ```
//!
//! After rotating the secret, set the new one as `MOMENTO_WEBHOOK_SECRET` and
//! keep the previous one in `MOMENTO_WEBHOOK_OLD_SECRET` until no delivery
//! is signed with it any more (each delivery says which secret signed it).
//!
//! Register `http://127.0.0.1:3000/` as the webhook's `postUrl` (e.g. with
//! `momento_http::EmulatorAdmin::put_webhook` on the emulator). Each request is
//! checked with `momento_http::webhook::verify`: signature (HMAC-SHA3-256 of
//! the raw body), then the replay window. Verified events are printed and
//! answered with an empty 204; anything else gets a 401 naming the problem.

use std::time::SystemTime;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use momento_http::webhook::{SIGNATURE_HEADER, Verifier};

async fn receive(
    State(verifier): State<Verifier>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    match verifier.verify(signature, &body, SystemTime::now()) {
        Ok(event) => {
            let secret = match verifier.matching_secret(signature, &body) {
                Ok(0) => "current secret",
                _ => "OLD secret",
            };
            println!(
                "{}/{} #{} (token {:?}, {secret}): {}",
                event.cache, event.topic, event.topic_sequence_number, event.token_id, event.text
            );
            (StatusCode::NO_CONTENT, String::new())
        }
        Err(err) => {
            eprintln!("rejected a request: {err}");
            (StatusCode::UNAUTHORIZED, err.to_string())
        }
    }
}

#[tokio::main]
async fn main() {
    // Display, not Debug: every error message says what to do.
    if let Err(err) = run().await {
        eprintln!("error: {err}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("MOMENTO_WEBHOOK_SECRET")
        .map_err(|_| "set MOMENTO_WEBHOOK_SECRET to the webhook's signing secret")?;
    let mut verifier = Verifier::new(secret);
    if let Ok(old) = std::env::var("MOMENTO_WEBHOOK_OLD_SECRET") {
        verifier = verifier.also_accept(old);
    }
    let listen = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let app = Router::new()
        .route("/", post(receive))
        .route("/{*path}", post(receive))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
