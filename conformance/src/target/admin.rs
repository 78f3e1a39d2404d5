//! The emulator's admin API, spoken only through its generated typed
//! client: minting keys, faults, topic resets and evictions. A target
//! without it skips the checks that need it.

use super::{KeyRole, Target};
use crate::failure::{CheckError, Failure, NO_ADMIN};
use momento_http::{EmulatorAdmin, admin_wire};

/// The admin client for an emulator at `base_url`, on the suite's HTTP settings.
pub(super) fn admin_client(base_url: &str) -> Result<EmulatorAdmin, momento_http::Error> {
    EmulatorAdmin::builder()
        .base_url(base_url)
        .reqwest_client(super::http_client())
        .build()
}

impl Target {
    // ---- the emulator's admin API, through its typed client ----

    /// The admin client; a skip when the target has no admin API.
    pub fn admin(&self) -> Result<&EmulatorAdmin, CheckError> {
        self.shared
            .admin
            .as_ref()
            .ok_or_else(|| CheckError::Skip(NO_ADMIN.into()))
    }

    /// A key for `role`: the one handed over with `--key`, else one minted
    /// through the admin API, else a skip that says what to pass.
    pub async fn key(&self, role: KeyRole) -> Result<String, CheckError> {
        if let Some(k) = self.keys.get(&role) {
            return Ok(k.clone());
        }
        if self.shared.admin.is_none() {
            return Err(CheckError::Skip(format!(
                "needs a {} key: pass --key {}=KEY (or run against the emulator, which mints one)",
                role.name(),
                role.name()
            )));
        }
        let (token_role, ttl, caches) = match role {
            KeyRole::PublishOnly => (admin_wire::TokenRole::Publish, 600, vec![]),
            KeyRole::SubscribeOnly => (admin_wire::TokenRole::Subscribe, 600, vec![]),
            KeyRole::OtherCache => (
                admin_wire::TokenRole::PublishSubscribe,
                600,
                vec![format!("{}-other", self.cache)],
            ),
            KeyRole::Expired => (admin_wire::TokenRole::PublishSubscribe, 0, vec![]),
        };
        Ok(self.mint(token_role, ttl, caches, None).await?.api_key)
    }

    /// Mint a token through the admin API.
    pub async fn mint(
        &self,
        role: admin_wire::TokenRole,
        ttl_seconds: i64,
        caches: Vec<String>,
        token_id: Option<String>,
    ) -> Result<momento_http::MintedKey, CheckError> {
        let body = admin_wire::MintTokenRequest {
            caches,
            role,
            token_id,
            topics: vec![],
            ttl_seconds,
        };
        self.admin()?
            .mint_token(&body)
            .await
            .map_err(|e| admin_failed("mintToken", e))
    }

    /// Arm a fault for the next `count` requests of `operation` on one topic.
    pub async fn inject_fault(
        &self,
        operation: admin_wire::FaultOperation,
        topic: &str,
        count: u32,
        action: admin_wire::FaultAction,
    ) -> Result<(), CheckError> {
        let body = admin_wire::FaultRequest {
            action,
            cache: Some(self.cache.clone()),
            count: std::num::NonZeroU32::new(count.max(1)).unwrap_or(std::num::NonZeroU32::MIN),
            operation,
            topic: Some(topic.to_owned()),
        };
        self.admin()?
            .inject_fault(&body)
            .await
            .map_err(|e| admin_failed("injectFault", e))
    }

    /// Reset a topic (a new page, numbering from 1).
    pub async fn reset_topic(&self, topic: &str) -> Result<admin_wire::TopicState, CheckError> {
        self.admin()?
            .reset_topic(&self.cache, topic)
            .await
            .map_err(|e| admin_failed("resetTopic", e))
    }

    /// Evict the `count` oldest buffered messages of a topic.
    pub async fn evict(
        &self,
        topic: &str,
        count: u64,
    ) -> Result<admin_wire::TopicState, CheckError> {
        self.admin()?
            .evict_messages(&self.cache, topic, count)
            .await
            .map_err(|e| admin_failed("evictMessages", e))
    }
}

/// A failure of an admin call made to set a check up.
pub fn admin_failed(operation: &str, e: momento_http::Error) -> CheckError {
    CheckError::Fail(Failure::new(
        &format!("admin {operation} (setting up the check)"),
        "a 2xx answer",
        format!("{e}"),
    ))
}
