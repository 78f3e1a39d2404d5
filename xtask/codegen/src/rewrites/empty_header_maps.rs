//! No empty header maps.

use anyhow::Result;
use syn::visit_mut::VisitMut;

use super::{Context, Rewrite, Sites, text};

pub const REWRITE: Rewrite = Rewrite {
    name: "empty-header-maps",
    reason: "performance: with the api-version header gone, operations without header \
             parameters build an empty HeaderMap and merge it into the request",
    apply,
};

/// Where a block declares `header_map` and only merges it, both statements go.
fn apply(file: &mut syn::File, _: &Context) -> Result<Sites> {
    struct Dropper {
        dropped: usize,
    }
    /// `<receiver>.headers(header_map)` becomes `<receiver>`.
    struct Unmerge;
    impl VisitMut for Unmerge {
        fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
            syn::visit_mut::visit_expr_mut(self, expr);
            if let syn::Expr::MethodCall(call) = expr
                && call.method == "headers"
                && call.args.len() == 1
                && text(&call.args[0]) == "header_map"
            {
                *expr = (*call.receiver).clone();
            }
        }
    }
    impl VisitMut for Dropper {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let declares = |stmt: &syn::Stmt| {
                text(stmt).starts_with(
                    "let mut header_map = :: reqwest :: header :: HeaderMap :: with_capacity",
                )
            };
            let uses = block
                .stmts
                .iter()
                .map(|stmt| text(stmt).matches("header_map").count())
                .sum::<usize>();
            // Declared, then only merged: nothing was added to it.
            if uses == 2 && block.stmts.iter().any(declares) {
                block.stmts.retain(|stmt| !declares(stmt));
                Unmerge.visit_block_mut(block);
                self.dropped += 1;
            }
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    let mut dropper = Dropper { dropped: 0 };
    dropper.visit_file_mut(file);
    Ok(Sites {
        applicable: true,
        rewritten: dropper.dropped,
        ..Sites::default()
    })
}
