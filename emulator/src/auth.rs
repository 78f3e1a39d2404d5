//! Tokens: HS256 JWTs signed with a per-instance secret, wrapped in Momento's v1
//! format (base64 of `{"endpoint", "api_key"}`), and the checks a request passes.
//!
//! Tokens never reach a log line: [`Token`]'s `Debug` is redacted.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use momento_http::codec::V1Key;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Publish only.
    Publish,
    /// Subscribe only.
    Subscribe,
    /// Both.
    PublishSubscribe,
}

impl Role {
    /// A role reads as data access for both halves of the API: `publish`
    /// writes (and may set and delete cache items), `subscribe` reads (and
    /// may get them), `publish-subscribe` does both (docs/api.md §9).
    fn allows(self, op: Operation) -> bool {
        matches!(
            (self, op),
            (Role::PublishSubscribe, _)
                | (Role::Publish, Operation::Publish | Operation::CacheWrite)
                | (Role::Subscribe, Operation::Subscribe | Operation::CacheRead)
        )
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "publish" => Ok(Role::Publish),
            "subscribe" => Ok(Role::Subscribe),
            "publish-subscribe" => Ok(Role::PublishSubscribe),
            other => Err(format!(
                "unknown role {other:?}: use publish, subscribe or publish-subscribe"
            )),
        }
    }
}

/// The two data-plane operations a token is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `POST /topics/...`
    Publish,
    /// `GET /topics/...`
    Subscribe,
    /// `GET /cache/...`
    CacheRead,
    /// `PUT` and `DELETE /cache/...`
    CacheWrite,
}

/// What to put in a minted token.
#[derive(Clone, Debug)]
pub struct TokenSpec {
    /// Caches it may use; `None` = all.
    pub caches: Option<Vec<String>>,
    /// Topics it may use; `None` = all.
    pub topics: Option<Vec<String>>,
    /// What it may do.
    pub role: Role,
    /// Lifetime in seconds; 0 or negative mints an already-expired token.
    pub ttl_seconds: i64,
    /// Token id (the webhook body's `token_id`); random when `None`.
    pub token_id: Option<String>,
}

impl TokenSpec {
    /// Full access for `ttl`.
    pub fn full_access(ttl: Duration) -> Self {
        TokenSpec {
            caches: None,
            topics: None,
            role: Role::PublishSubscribe,
            ttl_seconds: i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX / 4),
            token_id: None,
        }
    }
}

/// The JWT claims.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Token id.
    pub id: String,
    /// Expiry, epoch seconds.
    pub exp: i64,
    /// Issued at, epoch seconds.
    pub iat: i64,
    /// Allowed caches (absent = all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caches: Option<Vec<String>>,
    /// Allowed topics (absent = all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// What it may do.
    pub role: Role,
}

/// A minted token.
#[derive(Clone)]
pub struct Minted {
    /// The v1 API key (the string clients send).
    pub api_key: String,
    /// Its token id.
    pub token_id: String,
    /// Expiry, epoch seconds.
    pub expires_at: i64,
}

/// Signs and checks tokens with one secret. Cheap to clone: clones share the
/// keys and the cache of verified tokens.
#[derive(Clone)]
pub struct Authority {
    inner: Arc<Keys>,
}

struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Tokens whose signature has been checked, by the string sent. A client
    /// sends the same token on every request, and checking it (base64, JSON,
    /// HMAC) was the largest cost of a publish; only expiry depends on time,
    /// and it is checked on every use. foldhash rather than SipHash: tokens
    /// are a few hundred bytes, and only tokens signed with our secret get
    /// in, so no client can choose colliding keys.
    verified: Mutex<foldhash::HashMap<Box<str>, Arc<Claims>>>,
}

/// Verified tokens remembered at most; past this the cache starts over.
const VERIFIED_CAPACITY: usize = 4096;

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authority { secret: <redacted> }")
    }
}

/// Why a request's token was refused.
#[derive(Debug)]
pub enum AuthError {
    /// 401.
    Unauthorized(String),
    /// 403.
    Forbidden(String),
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Authority {
    /// From the secret's bytes.
    pub fn new(secret: &[u8]) -> Self {
        Authority {
            inner: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                verified: Mutex::new(foldhash::HashMap::default()),
            }),
        }
    }

    /// A random 32-byte secret, hex encoded (what `--secret-file` holds).
    pub fn random_secret() -> String {
        let bytes: [u8; 32] = rand::random();
        hex::encode(bytes)
    }

    /// Mint a v1 API key whose `endpoint` is `endpoint` (e.g. `http://127.0.0.1:8080`).
    pub fn mint(&self, endpoint: &str, spec: &TokenSpec) -> Minted {
        let now = now_secs();
        let token_id = spec.token_id.clone().unwrap_or_else(|| {
            let bytes: [u8; 8] = rand::random();
            format!("tok-{}", hex::encode(bytes))
        });
        // 0 or negative: already expired (a token is valid while exp >= now).
        let exp = if spec.ttl_seconds <= 0 {
            now.saturating_add(spec.ttl_seconds).saturating_sub(1)
        } else {
            now.saturating_add(spec.ttl_seconds)
        };
        let claims = Claims {
            id: token_id.clone(),
            exp,
            iat: now,
            caches: spec.caches.clone(),
            topics: spec.topics.clone(),
            role: spec.role,
        };
        // Encoding HS256 with an in-memory key over a plain struct cannot fail.
        let jwt = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.inner.encoding,
        )
        .unwrap_or_default();
        Minted {
            api_key: V1Key::new(endpoint, jwt).encode(),
            token_id,
            expires_at: exp,
        }
    }

    /// Check a token as sent on the wire (v1 wrapper or bare JWT).
    pub fn verify(&self, token: &str) -> Result<Arc<Claims>, AuthError> {
        let token = token.trim();
        if let Some(claims) = self.cached(token, now_secs()) {
            return Ok(claims);
        }
        let claims = Arc::new(self.verify_uncached(token)?);
        let mut verified = self.verified();
        if verified.len() >= VERIFIED_CAPACITY {
            verified.clear();
        }
        verified.insert(token.into(), claims.clone());
        Ok(claims)
    }

    /// A verified token's claims while they have not expired at `now`
    /// (expired ones take the full path, which names the reason).
    fn cached(&self, token: &str, now: i64) -> Option<Arc<Claims>> {
        self.verified()
            .get(token)
            .filter(|claims| claims.exp > now)
            .cloned()
    }

    fn verified(&self) -> std::sync::MutexGuard<'_, foldhash::HashMap<Box<str>, Arc<Claims>>> {
        self.inner
            .verified
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn verify_uncached(&self, token: &str) -> Result<Claims, AuthError> {
        if token.is_empty() {
            return Err(AuthError::Unauthorized("the token is empty".into()));
        }
        if token.starts_with("Bearer ") || token.starts_with("bearer ") {
            return Err(AuthError::Unauthorized(
                "send the raw token in the Authorization header, without the `Bearer ` prefix"
                    .into(),
            ));
        }
        let jwt = unwrap_v1(token).unwrap_or_else(|| token.to_string());
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp"]);
        match jsonwebtoken::decode::<Claims>(&jwt, &self.inner.decoding, &validation) {
            Ok(data) => Ok(data.claims),
            Err(e) => {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired; mint a new one",
                    ErrorKind::InvalidSignature => "the token was not signed by this emulator",
                    _ => "the token is not a valid API key for this emulator",
                };
                Err(AuthError::Unauthorized(why.into()))
            }
        }
    }
}

/// The JWT inside a v1 API key, if `token` is one (the client's own codec:
/// any base64 alphabet and padding, docs/api.md §2).
fn unwrap_v1(token: &str) -> Option<String> {
    V1Key::parse(token)
        .ok()
        .map(|key| key.expose_api_key().to_owned())
}

/// May `claims` do `op` on `cache`/`topic`?
pub fn authorize(
    claims: &Claims,
    op: Operation,
    cache: &str,
    topic: &str,
) -> Result<(), AuthError> {
    if !claims.role.allows(op) {
        let what = match op {
            Operation::Publish => "publish",
            Operation::Subscribe => "subscribe",
            Operation::CacheRead => "read cache items",
            Operation::CacheWrite => "write cache items",
        };
        return Err(AuthError::Forbidden(format!(
            "the token may not {what}; mint one with a role that allows it"
        )));
    }
    if let Some(caches) = &claims.caches
        && !caches.iter().any(|c| c == cache)
    {
        return Err(AuthError::Forbidden(format!(
            "the token does not grant access to cache {cache:?}"
        )));
    }
    let cache_op = matches!(op, Operation::CacheRead | Operation::CacheWrite);
    if cache_op && claims.topics.is_some() {
        return Err(AuthError::Forbidden(
            "the token is limited to topics and grants no access to cache items; mint one without a topic list".into(),
        ));
    }
    if let Some(topics) = &claims.topics
        && !cache_op
        && !topics.iter().any(|t| t == topic)
    {
        return Err(AuthError::Forbidden(format!(
            "the token does not grant access to topic {topic:?}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_keys_verify_wrapped_and_bare() {
        let a = Authority::new(b"secret");
        let m = a.mint(
            "http://127.0.0.1:1",
            &TokenSpec::full_access(Duration::from_secs(60)),
        );
        assert!(a.verify(&m.api_key).is_ok());
        let jwt = unwrap_v1(&m.api_key).unwrap();
        assert!(a.verify(&jwt).is_ok());
        assert!(Authority::new(b"other").verify(&m.api_key).is_err());
        assert!(a.verify(&format!("Bearer {}", m.api_key)).is_err());
    }

    #[test]
    fn a_key_verifies_in_either_alphabet_padded_or_not() {
        use base64::Engine as _;
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
        let a = Authority::new(b"secret");
        let m = a.mint(
            "http://127.0.0.1:1",
            &TokenSpec::full_access(Duration::from_secs(60)),
        );
        let json = momento_http::codec::decode_base64_lenient(&m.api_key).unwrap();
        for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD] {
            let key = engine.encode(&json);
            assert!(a.verify(&key).is_ok(), "{key}");
        }
    }

    #[test]
    fn a_remembered_token_still_expires() {
        let a = Authority::new(b"secret");
        let m = a.mint(
            "http://127.0.0.1:1",
            &TokenSpec::full_access(Duration::from_secs(60)),
        );
        let claims = a.verify(&m.api_key).unwrap();
        assert!(a.cached(&m.api_key, claims.exp - 1).is_some());
        assert!(a.cached(&m.api_key, claims.exp).is_none());
        assert!(a.cached(&m.api_key, claims.exp + 1).is_none());
    }

    #[test]
    fn a_forged_token_is_refused_after_a_good_one_is_remembered() {
        let a = Authority::new(b"secret");
        let good = a.mint(
            "http://127.0.0.1:1",
            &TokenSpec::full_access(Duration::from_secs(60)),
        );
        assert!(a.verify(&good.api_key).is_ok());
        let forged = Authority::new(b"other").mint(
            "http://127.0.0.1:1",
            &TokenSpec::full_access(Duration::from_secs(60)),
        );
        assert!(a.verify(&forged.api_key).is_err());
        assert!(a.verify(&good.api_key).is_ok());
    }

    #[test]
    fn zero_ttl_is_expired() {
        let a = Authority::new(b"secret");
        let mut spec = TokenSpec::full_access(Duration::ZERO);
        spec.ttl_seconds = -1;
        let m = a.mint("x", &spec);
        assert!(matches!(
            a.verify(&m.api_key),
            Err(AuthError::Unauthorized(_))
        ));
    }
}
