//! The named rewrites of progenitor's output, applied in [`ALL`]'s order.
//!
//! Each is there for a reason it states (correctness, or instructions a
//! publish saves, measured with `publish_cost`; see `Rewrite::reason`) and
//! each is guarded: it must find at least one site in the shape it expects
//! (unless the file has none of what it rewrites), and no site that looks
//! like its target may be left in another shape. When progenitor's output
//! changes, generation fails naming the rewrite, instead of silently leaving
//! the old code in place.
//!
//! The rewritten code points at hand-written modules of the client that do
//! not import the generated code back: `crate::path` (the encoder) and
//! `crate::hooks` (`Hooks::request_url`).
//!
//! A performance rewrite stays only while it saves at least 1% of a
//! publish's instructions (client and emulator together), measured with
//! `conformance/examples/publish_cost.rs` under callgrind: generate with
//! `--without NAME`, build, compare `client` minus `none`. Three that once
//! existed were measured together and removed (2,000 publishes, workspace
//! crates at opt-level 2): dropping empty header maps, encoding `&str` path
//! parameters without a copy, and skipping absent optional query parameters
//! saved 1,329 of 126,171 instructions per publish (1.05%, about 0.35% each).
//! Their guards and the hand-written code they tied to the generated code
//! cost more than that.

mod api_version_header;
mod request_urls;
mod strict_path_encoding;

use anyhow::{Result, bail};

/// What the rewrites may depend on about the file being generated.
pub struct Context {
    /// Whether the generated client carries `crate::hooks::Hooks`.
    pub hooked: bool,
}

/// What one rewrite did to a file.
#[derive(Default)]
pub struct Sites {
    /// Sites rewritten.
    pub rewritten: usize,
    /// Sites that look like the target but are not in the expected shape.
    pub missed: Vec<String>,
    /// Whether the file has anything of the kind this rewrite is about (a
    /// file without query parameters has nothing for a query rewrite).
    pub applicable: bool,
}

/// One named rewrite.
pub struct Rewrite {
    /// How messages and `--without` name it.
    pub name: &'static str,
    /// Why it exists; for a performance rewrite, what `publish_cost` showed.
    pub reason: &'static str,
    /// Rewrites `file` in place.
    pub apply: fn(&mut syn::File, &Context) -> Result<Sites>,
}

/// Every rewrite, in the order applied.
pub const ALL: &[Rewrite] = &[
    strict_path_encoding::REWRITE,
    api_version_header::REWRITE,
    request_urls::REWRITE,
];

/// Applies every rewrite not named in `without`, checking each one's guard.
pub fn apply_all(file: &mut syn::File, context: &Context, without: &[String]) -> Result<()> {
    for rewrite in ALL {
        if without.iter().any(|name| name == rewrite.name) {
            continue;
        }
        let sites = (rewrite.apply)(file, context)?;
        if !sites.missed.is_empty() {
            bail!(
                "progenitor's output changed shape: rewrite {} ({}) cannot rewrite {}; \
                 revisit xtask/codegen/src/rewrites/",
                rewrite.name,
                rewrite.reason,
                sites.missed.join("; ")
            );
        }
        if sites.applicable && sites.rewritten == 0 {
            bail!(
                "progenitor's output changed shape: rewrite {} ({}) found nothing to rewrite; \
                 revisit xtask/codegen/src/rewrites/",
                rewrite.name,
                rewrite.reason
            );
        }
    }
    Ok(())
}

/// The tokens of `node` as text (`a :: b (c)`), for matching small shapes.
pub fn text(node: &impl quote::ToTokens) -> String {
    node.to_token_stream().to_string()
}

/// Puts `use <path>;` at the top of the generated file.
pub fn import_first(file: &mut syn::File, path: &str) -> Result<()> {
    let import: syn::Item = syn::parse_str(&format!("#[allow(unused_imports)] use {path};"))?;
    file.items.insert(0, import);
    Ok(())
}

/// The arguments of `format!(..)`, or `None` for any other macro.
pub fn format_args_of(
    mac: &syn::Macro,
) -> Option<syn::punctuated::Punctuated<syn::Expr, syn::Token![,]>> {
    if !mac.path.is_ident("format") {
        return None;
    }
    mac.parse_body_with(syn::punctuated::Punctuated::parse_terminated)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOOKED: Context = Context { hooked: true };

    #[test]
    fn a_rewrite_that_finds_nothing_fails_and_names_itself() {
        let mut file: syn::File = syn::parse_quote! {
            use progenitor_client::{ClientHooks, OperationInfo};
        };
        let err = apply_all(&mut file, &HOOKED, &[]).unwrap_err().to_string();
        assert!(err.contains("strict-path-encoding"), "{err}");
        assert!(err.contains("found nothing to rewrite"), "{err}");
    }

    #[test]
    fn a_url_built_in_another_shape_fails_the_request_url_rewrite() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn publish(&self) {
                    let url = format!("{}/topics/{}", self.baseurl, encode_path(x));
                    let url = self.baseurl.clone() + "/topics";
                }
            }
        };
        let sites = (request_urls::REWRITE.apply)(&mut file, &HOOKED).unwrap();
        assert_eq!(sites.rewritten, 1);
        assert_eq!(sites.missed.len(), 1, "{:?}", sites.missed);
        assert!(text(&file).contains("request_url"));
    }

    #[test]
    fn the_api_version_header_goes_and_any_other_mention_is_reported() {
        let mut file: syn::File = syn::parse_quote! {
            fn f() {
                header_map.append("api-version", HeaderValue::from_static("1.0.0"));
                header_map.append(HeaderName::from_static("api-version"), v);
            }
        };
        let sites = (api_version_header::REWRITE.apply)(&mut file, &HOOKED).unwrap();
        assert_eq!(sites.rewritten, 1);
        assert_eq!(sites.missed.len(), 1, "{:?}", sites.missed);
    }
}
