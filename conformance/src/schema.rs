//! The spec's schemas, taken from `openapi/momento-http.yaml` at run time
//! (never re-typed), and validators whose errors name the key: webhook
//! bodies (`WebhookEvent`) and subscribe answers (`SubscribeResponse`, with
//! the schemas it refers to).

use serde_json::Value;
use std::path::{Path, PathBuf};

/// `openapi/momento-http.yaml` in this workspace.
pub fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/momento-http.yaml")
}

/// `components.schemas.<name>` of the Topics spec, as JSON.
pub fn component_schema(name: &str) -> anyhow::Result<Value> {
    all_component_schemas()?.get(name).cloned().ok_or_else(|| {
        anyhow::anyhow!("{} has no components.schemas.{name}", spec_path().display())
    })
}

/// `components.schemas` of the Topics spec, as JSON.
fn all_component_schemas() -> anyhow::Result<Value> {
    let path = spec_path();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text)?;
    let json: Value = serde_json::to_value(yaml)?;
    json.pointer("/components/schemas")
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{} has no components.schemas", path.display()))
}

fn problems(validator: &jsonschema::Validator, body: &Value) -> Vec<String> {
    validator
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

/// Validates subscribe answers against the spec's `SubscribeResponse`
/// (its `$ref`s to `SubscribeElement`, `TopicItem`, `TopicValue` and
/// `Discontinuity` resolved within the spec's components).
pub struct SubscribeResponseValidator {
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for SubscribeResponseValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubscribeResponseValidator")
    }
}

impl SubscribeResponseValidator {
    /// Load and compile the schema.
    pub fn load() -> anyhow::Result<Self> {
        let schema = serde_json::json!({
            "allOf": [{"$ref": "#/components/schemas/SubscribeResponse"}],
            "components": {"schemas": all_component_schemas()?},
        });
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| anyhow::anyhow!("SubscribeResponse schema does not compile: {e}"))?;
        Ok(SubscribeResponseValidator { validator })
    }

    /// The validator, compiled once per process.
    pub fn shared() -> Result<&'static SubscribeResponseValidator, String> {
        static SHARED: std::sync::OnceLock<Result<SubscribeResponseValidator, String>> =
            std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| SubscribeResponseValidator::load().map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every problem with `body`, each naming where (empty when valid).
    pub fn problems(&self, body: &Value) -> Vec<String> {
        problems(&self.validator, body)
    }
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
        problems(&self.validator, body)
    }
}
