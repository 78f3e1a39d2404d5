//! Where the credential and the endpoint come from, read as the client reads
//! them (`MOMENTO_API_KEY`, `MOMENTO_ENDPOINT`), plus the flags that override them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use momento_http::{AuthPlacement, Credential, Region, TopicClient};

use crate::exit::CliError;

/// The environment variable holding the API key.
pub const API_KEY_ENV: &str = "MOMENTO_API_KEY";

/// Options every command that talks to Momento (or reads a key) shares.
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Connection")]
pub struct Connection {
    /// Read the API key from FILE instead of $MOMENTO_API_KEY (surrounding whitespace ignored).
    ///
    /// Keys are never taken as an argument: arguments show up in `ps` and in
    /// shell history.
    #[arg(long, value_name = "FILE", global = true)]
    pub api_key_file: Option<PathBuf>,

    /// Send requests to this endpoint instead of the one the key names.
    ///
    /// A bare `<cell>.prod.a.momentohq.com` (the HTTP host is `api.cache.` +
    /// it) or a full base URL such as http://127.0.0.1:8080. Needed for v2
    /// keys, which name no endpoint.
    #[arg(
        long,
        env = "MOMENTO_ENDPOINT",
        hide_env_values = true,
        value_name = "ENDPOINT",
        global = true,
        conflicts_with = "region"
    )]
    pub endpoint: Option<String>,

    /// Send requests to this Momento region (us-east-1, eu-west-1, ...) instead of the key's endpoint.
    #[arg(long, value_name = "REGION", global = true)]
    pub region: Option<Region>,

    /// Where the token goes on each request: the Authorization header, or the `token` query parameter.
    #[arg(long, value_enum, default_value_t = Auth::Header, global = true)]
    pub auth: Auth,
}

/// `--auth`: where the token goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Auth {
    /// The raw token in the `Authorization` header.
    Header,
    /// The `token` query parameter (for proxies that strip headers).
    Query,
}

impl Connection {
    /// The API key: from `--api-key-file`, else `$MOMENTO_API_KEY`, parsed
    /// (the endpoint override is applied by [`Connection::client`]).
    pub fn credential(&self) -> Result<Credential, CliError> {
        let key = match &self.api_key_file {
            Some(path) => std::fs::read_to_string(path).map_err(|e| {
                CliError::usage(format!(
                    "cannot read the API key file {}: {e}; pass a file holding only the key",
                    path.display()
                ))
            })?,
            None => std::env::var(API_KEY_ENV).map_err(|_| {
                CliError::usage(format!(
                    "no API key: set {API_KEY_ENV} or pass --api-key-file FILE (for the emulator, start it with --write-api-key FILE)"
                ))
            })?,
        };
        let credential = Credential::parse(&key)?;
        Ok(match &self.endpoint {
            Some(endpoint) if !endpoint.trim().is_empty() => credential.with_endpoint(endpoint),
            _ => credential,
        })
    }

    /// A client for the credential, endpoint, region and token placement given.
    pub fn client(&self) -> Result<TopicClient, CliError> {
        Ok(self.builder()?.build()?)
    }

    /// The configured builder, for commands that tune it further.
    pub fn builder(&self) -> Result<momento_http::TopicClientBuilder, CliError> {
        let mut builder = TopicClient::builder()
            .credential(self.credential()?)
            .auth_placement(match self.auth {
                Auth::Header => AuthPlacement::Header,
                Auth::Query => AuthPlacement::Query,
            });
        if let Some(region) = &self.region {
            builder = builder.region(region.clone());
        }
        Ok(builder)
    }
}
