//! TLS for the client's own reqwest client: rustls with the ring provider and
//! the platform's root certificates.
//!
//! The crate asks reqwest for `rustls-no-provider` (see `client/Cargo.toml`
//! for why ring), so reqwest has no provider of its own to fall back on;
//! [`http_client_builder`] hands it a finished rustls configuration instead
//! of relying on a process-wide default. A `reqwest::Client` built
//! elsewhere (`reqwest::Client::new()`, the generated `raw::Client::new`)
//! needs a provider from its program: reqwest's `rustls` feature, or
//! `rustls::crypto::ring::default_provider().install_default()`.

use std::sync::{Arc, OnceLock};

use rustls_platform_verifier::BuilderVerifierExt as _;

/// The configuration is made once per process: building the platform
/// verifier reads the system's roots (on Linux every PEM file under
/// `/etc/ssl/certs`), and a program may build many clients (the suite builds
/// one per subscriber). A root added to the system later is seen by the next
/// process.
static CONFIG: OnceLock<Result<rustls::ClientConfig, rustls::Error>> = OnceLock::new();

/// A reqwest builder whose TLS is rustls with ring, verifying servers against
/// the platform's roots (as reqwest's own rustls setup does). What this crate
/// builds its own client from; the emulator, the suite and the load tool
/// build theirs from it too, so no workspace crate needs a second provider.
///
/// ```
/// let http = momento_http::http_client_builder()?.build()?;
/// # let _ = http;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, rustls::Error> {
    let mut config = CONFIG
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            Ok(rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()?
                .with_platform_verifier()?
                .with_no_client_auth())
        })
        .clone()?;
    // A clone shares the session cache; each client keeps its own, as when
    // each built its configuration.
    config.resumption = rustls::client::Resumption::default();
    Ok(reqwest::Client::builder().tls_backend_preconfigured(config))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_client_builds_with_the_ring_configuration() {
        let client = super::http_client_builder()
            .expect("rustls accepts ring's defaults and the platform roots")
            .build();
        assert!(client.is_ok(), "{client:?}");
    }
}
