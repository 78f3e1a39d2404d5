//! Path parameters go through the client's strict encoder.

use anyhow::Result;

use super::{Context, Rewrite, Sites, import_first, text};

pub const REWRITE: Rewrite = Rewrite {
    name: "strict-path-encoding",
    reason: "correctness: progenitor's encode_path leaves `\\` (and a few other bytes) as \
             they are, and URL parsers read `\\` as `/` in http(s) URLs, so topic `a\\b` \
             would be sent to `/topics/c/a/b`; the generated code imports \
             crate::path::encode_path, which escapes every byte outside RFC 3986's \
             unreserved set",
    apply,
};

/// The encoder the generated code calls instead of progenitor's.
const PATH_ENCODER: &str = "crate::path::encode_path";

/// Drops `encode_path` from `use progenitor_client::{..}` and imports
/// [`PATH_ENCODER`] under the same name, so the calls stay as they are.
fn apply(file: &mut syn::File, _: &Context) -> Result<Sites> {
    let mut sites = Sites {
        applicable: true,
        ..Sites::default()
    };
    for item in &mut file.items {
        let syn::Item::Use(item_use) = item else {
            continue;
        };
        let syn::UseTree::Path(path) = &mut item_use.tree else {
            continue;
        };
        if path.ident != "progenitor_client" {
            continue;
        }
        if let syn::UseTree::Group(group) = path.tree.as_mut() {
            let before = group.items.len();
            group.items = std::mem::take(&mut group.items)
                .into_iter()
                .filter(|tree| !matches!(tree, syn::UseTree::Name(n) if n.ident == "encode_path"))
                .collect();
            sites.rewritten += before - group.items.len();
        }
    }
    let qualified = text(file)
        .matches("progenitor_client :: encode_path")
        .count();
    if qualified > 0 {
        sites.missed.push(format!(
            "{qualified} calls of progenitor_client::encode_path by its full path"
        ));
    }
    if sites.rewritten > 0 {
        import_first(file, PATH_ENCODER)?;
    }
    Ok(sites)
}
