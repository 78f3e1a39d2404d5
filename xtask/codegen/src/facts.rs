//! Wire rules the spec states but the generated types cannot carry (the
//! payload limit, the name rules), exported from the generated file as
//! constants so that the client, the emulator and the suite use one
//! definition: the spec's.
//!
//! Each [`Fact`] names a constant and where in the honest spec (not
//! progenitor's view, which drops the name rules) its value is. A fact that
//! is missing or of the wrong type fails the generation.

use anyhow::{Context, Result};
use serde_json::Value;

use crate::spec::Spec;

/// One exported constant.
pub struct Fact {
    /// The constant's name in the generated `rules` module.
    pub constant: &'static str,
    /// Its Rust type, and how the spec's value is read.
    pub kind: Kind,
    /// A JSON pointer into the spec (`~1` stands for `/`).
    pub at: &'static str,
    /// The constant's rustdoc (where it comes from is added).
    pub doc: &'static str,
}

/// The Rust types a fact can have.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A non-negative integer: `usize`.
    Usize,
    /// A string: `&str`.
    Str,
    /// A list of strings: `&[&str]`.
    StrList,
}

/// The Topics API's rules (`openapi/momento-http.yaml`).
pub const TOPICS: &[Fact] = &[
    Fact {
        constant: "MAX_PUBLISH_PAYLOAD_BYTES",
        kind: Kind::Usize,
        at: "/paths/~1topics~1{cacheName}~1{topicName}/post/requestBody/x-max-bytes",
        doc: "The largest publish body, in bytes, whatever its media type (docs/api.md §3, §8).",
    },
    Fact {
        constant: "MAX_NAME_BYTES",
        kind: Kind::Usize,
        at: "/components/schemas/Name/x-max-bytes",
        doc: "The longest cache or topic name the emulator accepts, in bytes (a project \
              choice: Momento documents no limit, so the client does not check it; \
              docs/api.md §3).",
    },
    Fact {
        constant: "NAME_PATTERN",
        kind: Kind::Str,
        at: "/components/schemas/Name/pattern",
        doc: "What every cache and topic name must contain somewhere (an ECMA 262 \
              pattern, unanchored): a character that is not whitespace, so names are \
              neither empty nor only whitespace (docs/api.md §3).",
    },
    Fact {
        constant: "RESERVED_NAMES",
        kind: Kind::StrList,
        at: "/components/schemas/Name/not/enum",
        doc: "Cache and topic names that cannot travel in a URL path: URL parsers \
              resolve these segments (escaped too), so the request would go elsewhere \
              (docs/api.md §3).",
    },
];

/// Appends `pub mod rules { .. }` with `facts` read from `spec` to `file`
/// (nothing when `facts` is empty).
pub fn append(file: &mut syn::File, spec: &Spec, facts: &[Fact]) -> Result<()> {
    if facts.is_empty() {
        return Ok(());
    }
    let mut module = String::from(
        "/// Wire rules the spec states that the generated types cannot carry,\n\
         /// exported by `cargo xtask codegen`.\npub mod rules {\n",
    );
    for fact in facts {
        let value = spec.value.pointer(fact.at).with_context(|| {
            format!("the spec has nothing at {} for {}", fact.at, fact.constant)
        })?;
        let (ty, literal) = render(fact, value)?;
        module.push_str(&format!(
            "#[doc = {:?}]\n#[doc = \"\"]\n#[doc = {:?}]\npub const {}: {ty} = {literal};\n",
            format!(" {}", fact.doc),
            format!(" From the spec, at `{}`.", fact.at),
            fact.constant,
        ));
    }
    module.push('}');
    let item: syn::Item = syn::parse_str(&module).context("the rules module is not Rust")?;
    file.items.push(item);
    Ok(())
}

/// The constant's type and value as Rust text.
fn render(fact: &Fact, value: &Value) -> Result<(&'static str, String)> {
    let wrong =
        |wanted: &str| anyhow::anyhow!("{} at {} is {value}, not {wanted}", fact.constant, fact.at);
    Ok(match fact.kind {
        Kind::Usize => (
            "usize",
            value
                .as_u64()
                .ok_or_else(|| wrong("a non-negative integer"))?
                .to_string(),
        ),
        Kind::Str => (
            "&str",
            format!("{:?}", value.as_str().ok_or_else(|| wrong("a string"))?),
        ),
        Kind::StrList => {
            let Some(list) = value.as_array() else {
                return Err(wrong("a list of strings"));
            };
            let items = list
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(|s| format!("{s:?}"))
                        .ok_or_else(|| wrong("a list of strings"))
                })
                .collect::<Result<Vec<_>>>()?;
            ("&[&str]", format!("&[{}]", items.join(", ")))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules_of(value: Value, facts: &[Fact]) -> Result<String> {
        let mut file: syn::File = syn::parse_quote! {};
        append(&mut file, &Spec { value }, facts)?;
        Ok(prettyplease::unparse(&file))
    }

    const FACTS: &[Fact] = &[
        Fact {
            constant: "LIMIT",
            kind: Kind::Usize,
            at: "/x/limit",
            doc: "d",
        },
        Fact {
            constant: "RESERVED",
            kind: Kind::StrList,
            at: "/x/reserved",
            doc: "d",
        },
    ];

    #[test]
    fn facts_become_constants_with_the_spec_values() {
        let text = rules_of(
            json!({ "x": { "limit": 7, "reserved": [".", "a\"b"] } }),
            FACTS,
        )
        .unwrap();
        assert!(text.contains("pub const LIMIT: usize = 7;"), "{text}");
        assert!(
            text.contains(r#"pub const RESERVED: &[&str] = &[".", "a\"b"];"#),
            "{text}"
        );
    }

    #[test]
    fn a_missing_or_mistyped_fact_fails_naming_the_constant() {
        let err = rules_of(json!({ "x": { "reserved": [] } }), FACTS)
            .unwrap_err()
            .to_string();
        assert!(err.contains("LIMIT"), "{err}");
        let err = rules_of(json!({ "x": { "limit": "7", "reserved": [] } }), FACTS)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("LIMIT") && err.contains("non-negative integer"),
            "{err}"
        );
    }
}
