//! No `api-version` header.

use anyhow::Result;
use syn::visit_mut::VisitMut;

use super::{Context, Rewrite, Sites, text};

pub const REWRITE: Rewrite = Rewrite {
    name: "no-api-version-header",
    reason: "wire: progenitor sends `api-version: <info.version>` with every request, a \
             Dropshot convention; Momento documents no such header and the spec is the \
             wire's single source of truth, so the statement that adds it goes",
    apply,
};

/// Drops every statement that adds the header.
fn apply(file: &mut syn::File, _: &Context) -> Result<Sites> {
    struct Dropper {
        dropped: usize,
    }
    impl VisitMut for Dropper {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let before = block.stmts.len();
            block
                .stmts
                .retain(|stmt| !text(stmt).contains("from_static (\"api-version\")"));
            self.dropped += before - block.stmts.len();
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    let mut dropper = Dropper { dropped: 0 };
    dropper.visit_file_mut(file);
    let mut sites = Sites {
        applicable: true,
        rewritten: dropper.dropped,
        ..Sites::default()
    };
    let left = text(file).matches("\"api-version\"").count();
    if left > 0 {
        sites
            .missed
            .push(format!("{left} other mentions of the api-version header"));
    }
    Ok(sites)
}
