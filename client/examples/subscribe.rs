//! Subscribe and print every event, the connection's health included;
//! prints the cursor to resume from.
//!
//! ```text
//! MOMENTO_API_KEY=... [MOMENTO_ENDPOINT=...] MOMENTO_CACHE=my-cache MOMENTO_TOPIC=my-topic \
//!     [MOMENTO_SEQUENCE_NUMBER=42 MOMENTO_SEQUENCE_PAGE=7] \
//!     cargo run -p momento-http --example subscribe
//! ```

use futures::StreamExt as _;
use momento_http::{Cursor, TopicClient, TopicEvent, TopicValue};

fn env_u64(name: &str) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
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
    let cache = std::env::var("MOMENTO_CACHE").unwrap_or_else(|_| "default-cache".into());
    let topic = std::env::var("MOMENTO_TOPIC").unwrap_or_else(|_| "example".into());
    let cursor = Cursor {
        sequence_number: env_u64("MOMENTO_SEQUENCE_NUMBER"),
        sequence_page: env_u64("MOMENTO_SEQUENCE_PAGE"),
    };

    let client = TopicClient::from_env()?;
    let mut subscription = client.subscribe_from(&cache, &topic, cursor);
    println!("subscribed to {cache}/{topic}; Ctrl-C to stop");
    while let Some(event) = subscription.next().await {
        match event? {
            TopicEvent::Item {
                sequence_number,
                sequence_page,
                value,
                ..
            } => match value {
                TopicValue::Text(text) => {
                    println!("#{sequence_number} (page {sequence_page}): {text}")
                }
                TopicValue::Binary(bytes) => {
                    println!(
                        "#{sequence_number} (page {sequence_page}): {} bytes",
                        bytes.len()
                    )
                }
            },
            TopicEvent::Discontinuity {
                last,
                new,
                new_page,
                synthesized,
                ..
            } => {
                let who = if synthesized {
                    "inferred by the client"
                } else {
                    "announced by the server"
                };
                println!(
                    "discontinuity ({who}): after #{last} the next is #{new} on page {new_page}"
                );
            }
            // The subscription's health: it keeps retrying (for ever by
            // default) and resumes from its cursor, so nothing is lost.
            TopicEvent::ConnectionLost {
                error,
                retry_in,
                failures,
            } => eprintln!(
                "connection lost ({failures} in a row): {error}; retrying in {retry_in:?}"
            ),
            TopicEvent::ConnectionRestored { away, failures } => {
                eprintln!("connection restored after {away:?} ({failures} failed polls)")
            }
            TopicEvent::NoProgress { polls, wait } => {
                eprintln!("{polls} polls answered without progress; waiting {wait:?} between polls")
            }
            // Events added in later versions.
            _ => {}
        }
        let c = subscription.cursor();
        println!(
            "  resume with MOMENTO_SEQUENCE_NUMBER={} MOMENTO_SEQUENCE_PAGE={}",
            c.sequence_number, c.sequence_page
        );
    }
    Ok(())
}
