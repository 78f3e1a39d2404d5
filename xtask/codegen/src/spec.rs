//! The spec as written, and the view of it progenitor is given.
//!
//! The spec in `openapi/` stays honest about the wire; progenitor cannot read
//! all of it, so [`Spec::progenitor_view`] changes two things first, each
//! undone or enforced by hand-written code in the client.

use std::path::Path;

use anyhow::{Context, Result, bail};
use openapiv3::OpenAPI;
use serde_json::{Map, Value, json};

/// The media type progenitor is given for bodies the spec offers in several.
pub const GENERATED_BODY_MEDIA_TYPE: &str = "application/octet-stream";

/// The HTTP methods whose operations may carry a request body.
const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// One spec file, as written.
pub struct Spec {
    /// The whole document, for the view and for [`crate::facts`].
    pub value: Value,
}

impl Spec {
    /// Reads `path` and checks that it is OpenAPI 3.0.
    pub fn read(path: &Path) -> Result<Spec> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: Value = serde_yaml::from_str(&text)
            .with_context(|| format!("{} is not YAML with string keys", path.display()))?;
        serde_json::from_value::<OpenAPI>(value.clone())
            .with_context(|| format!("{} is not OpenAPI 3.0", path.display()))?;
        Ok(Spec { value })
    }

    /// What progenitor is given instead of the honest spec:
    ///
    /// 1. A request body offered in several media types keeps only
    ///    [`GENERATED_BODY_MEDIA_TYPE`]: progenitor takes one media type per
    ///    body. This is the one back-and-forth it forces: the generated publish
    ///    labels every body `application/octet-stream`, and the client's hooks
    ///    (`client/src/hooks.rs`, `pre`) relabel a text publish `text/plain`.
    /// 2. Path parameters are plain strings: a path parameter whose schema
    ///    refers to a component schema or constrains the string (the name
    ///    rules) gets `{type: string}`, and the component schema goes. Given
    ///    the rules, typify would generate a validating newtype (its pattern
    ///    needs a regex engine at run time) and every generated method would
    ///    take it instead of `&str`. The client checks names itself, with the
    ///    rules [`crate::facts`] exports from the honest spec.
    pub fn progenitor_view(&self) -> Result<OpenAPI> {
        let mut view = self.value.clone();
        one_media_type_per_body(&mut view)?;
        plain_string_path_parameters(&mut view)?;
        serde_json::from_value(view).context("the view of the spec is not OpenAPI 3.0")
    }
}

/// Change 1 of [`Spec::progenitor_view`].
fn one_media_type_per_body(spec: &mut Value) -> Result<()> {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(body) = item.pointer_mut(&format!("/{method}/requestBody")) else {
                continue;
            };
            if body.get("$ref").is_some() {
                bail!("the request body of {method} {path} is a $ref; inline it");
            }
            let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) else {
                continue;
            };
            if content.len() > 1 {
                let Some(kept) = content.remove(GENERATED_BODY_MEDIA_TYPE) else {
                    bail!(
                        "the body of {method} {path} offers several media types but not \
                         {GENERATED_BODY_MEDIA_TYPE}, the one progenitor is given"
                    );
                };
                *content = Map::from_iter([(GENERATED_BODY_MEDIA_TYPE.to_owned(), kept)]);
            }
        }
    }
    Ok(())
}

/// Change 2 of [`Spec::progenitor_view`].
fn plain_string_path_parameters(spec: &mut Value) -> Result<()> {
    let schemas = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut replaced = Vec::new();
    for parameter in parameters_mut(spec) {
        if parameter.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let name = parameter["name"].as_str().unwrap_or("?").to_owned();
        let Some(schema) = parameter.get_mut("schema") else {
            continue;
        };
        let target = match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let Some(schema_name) = reference.strip_prefix("#/components/schemas/") else {
                    bail!("path parameter {name} refers to {reference}, not a component schema");
                };
                replaced.push(schema_name.to_owned());
                schemas.get(schema_name).with_context(|| {
                    format!("path parameter {name} refers to {reference}, which is not defined")
                })?
            }
            None => &*schema,
        };
        if target.get("type").and_then(Value::as_str) != Some("string") {
            bail!("path parameter {name} is not a string; the client passes names as &str");
        }
        *schema = json!({ "type": "string" });
    }
    for schema_name in replaced {
        let reference = format!("\"#/components/schemas/{schema_name}\"");
        if spec.to_string().contains(&reference) {
            bail!(
                "schema {schema_name} describes path parameters and something else; progenitor \
                 would generate a validating type for the rest (give them their own schema)"
            );
        }
        if let Some(schemas) = spec
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            schemas.remove(&schema_name);
        }
    }
    Ok(())
}

/// Every inline parameter object: the components', the path items' and the operations'.
fn parameters_mut(spec: &mut Value) -> Vec<&mut Value> {
    let mut found = Vec::new();
    let Some(root) = spec.as_object_mut() else {
        return found;
    };
    for (key, section) in root.iter_mut() {
        match key.as_str() {
            "components" => {
                if let Some(parameters) =
                    section.get_mut("parameters").and_then(Value::as_object_mut)
                {
                    found.extend(parameters.values_mut());
                }
            }
            "paths" => {
                let Some(paths) = section.as_object_mut() else {
                    continue;
                };
                for item in paths.values_mut() {
                    let Some(item) = item.as_object_mut() else {
                        continue;
                    };
                    for (key, value) in item.iter_mut() {
                        let list = if key == "parameters" {
                            Some(value)
                        } else if METHODS.contains(&key.as_str()) {
                            value.get_mut("parameters")
                        } else {
                            None
                        };
                        if let Some(list) = list.and_then(Value::as_array_mut) {
                            found.extend(list.iter_mut());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec_with(name_used_by_a_body: bool) -> Spec {
        let body = if name_used_by_a_body {
            json!({ "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Name" } } } })
        } else {
            json!({ "content": {
                "text/plain": { "schema": { "type": "string" } },
                "application/octet-stream": { "schema": { "type": "string", "format": "binary" } }
            } })
        };
        Spec {
            value: json!({
                "openapi": "3.0.3",
                "info": { "title": "t", "version": "1" },
                "paths": { "/t/{name}": { "post": {
                    "parameters": [{ "name": "name", "in": "path", "required": true,
                                     "schema": { "$ref": "#/components/schemas/Name" } }],
                    "requestBody": body,
                    "responses": { "204": { "description": "ok" } }
                } } },
                "components": { "schemas": { "Name": {
                    "type": "string", "pattern": "\\S", "not": { "enum": [".", ".."] }
                } } }
            }),
        }
    }

    #[test]
    fn progenitor_sees_plain_string_names_and_one_media_type() {
        let view = serde_json::to_value(spec_with(false).progenitor_view().unwrap()).unwrap();
        assert_eq!(
            view.pointer("/paths/~1t~1{name}/post/parameters/0/schema"),
            Some(&json!({ "type": "string" }))
        );
        assert_eq!(view.pointer("/components/schemas/Name"), None);
        let content = view
            .pointer("/paths/~1t~1{name}/post/requestBody/content")
            .unwrap();
        assert_eq!(
            content.as_object().unwrap().keys().collect::<Vec<_>>(),
            [GENERATED_BODY_MEDIA_TYPE]
        );
    }

    #[test]
    fn a_name_schema_used_beyond_path_parameters_is_refused() {
        let err = spec_with(true).progenitor_view().unwrap_err().to_string();
        assert!(
            err.contains("schema Name describes path parameters"),
            "{err}"
        );
    }
}
