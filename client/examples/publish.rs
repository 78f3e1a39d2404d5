//! Publish one message.
//!
//! ```text
//! MOMENTO_API_KEY=... [MOMENTO_ENDPOINT=...] MOMENTO_CACHE=my-cache MOMENTO_TOPIC=my-topic \
//!     cargo run -p momento-http --example publish -- "hello world"
//! ```
//!
//! Against the emulator, `MOMENTO_API_KEY` is the key it prints at start-up.

use momento_http::TopicClient;

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
    let message = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let message = if message.is_empty() {
        "hello from momento-http".to_owned()
    } else {
        message
    };

    let client = TopicClient::from_env()?;
    match client.publish(&cache, &topic, message.as_str()).await {
        Ok(()) => println!("published to {cache}/{topic}: {message}"),
        Err(err) if err.may_have_been_delivered() => {
            eprintln!(
                "{err}\n(the message may still have been delivered; check before republishing)"
            );
            std::process::exit(2);
        }
        Err(err) => return Err(err.into()),
    }
    Ok(())
}
