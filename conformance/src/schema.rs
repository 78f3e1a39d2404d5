//! The `WebhookEvent` schema, taken from `openapi/momento-http.yaml` at run
//! time (never re-typed), and a validator whose errors name the key.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// `openapi/momento-http.yaml` in this workspace.
pub fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/momento-http.yaml")
}

/// `components.schemas.<name>` of the Topics spec, as JSON.
pub fn component_schema(name: &str) -> anyhow::Result<Value> {
    let path = spec_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text)?;
    let json: Value = serde_json::to_value(yaml)?;
    json.pointer(&format!("/components/schemas/{name}"))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{} has no components.schemas.{name}", path.display()))
}

/// Validates webhook bodies against the spec's `WebhookEvent`.
pub struct WebhookEventValidator {
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for WebhookEventValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookEventValidator")
    }
}

impl WebhookEventValidator {
    /// Load and compile the schema.
    pub fn load() -> anyhow::Result<Self> {
        let schema = component_schema("WebhookEvent")?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| anyhow::anyhow!("WebhookEvent schema does not compile: {e}"))?;
        Ok(WebhookEventValidator { validator })
    }

    /// Every problem with `body`, each naming the key (empty when valid).
    pub fn problems(&self, body: &Value) -> Vec<String> {
        self.validator
            .iter_errors(body)
            .map(|e| {
                let at = e.instance_path().to_string();
                if at.is_empty() {
                    e.to_string()
                } else {
                    format!("{at}: {e}")
                }
            })
            .collect()
    }
}
