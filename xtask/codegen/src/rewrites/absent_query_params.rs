//! Absent optional query parameters cost nothing.

use anyhow::Result;
use syn::visit_mut::VisitMut;

use super::{Context, Rewrite, Sites, import_first, params_where, text};

pub const REWRITE: Rewrite = Rewrite {
    name: "absent-query-params",
    reason: "performance: progenitor adds every query parameter with \
             .query(&QueryParam::new(name, &x)), which rewrites the URL even when x is None",
    apply,
};

const OPTIONAL_QUERY: &str = "crate::query::OptionalQuery";

fn apply(file: &mut syn::File, _: &Context) -> Result<Sites> {
    struct Rewriter {
        option_params: Vec<String>,
        rewritten: usize,
        seen: usize,
    }
    impl VisitMut for Rewriter {
        fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
            self.option_params = params_where(&f.sig, |ty| {
                matches!(ty, syn::Type::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
            });
            syn::visit_mut::visit_impl_item_fn_mut(self, f);
            self.option_params.clear();
        }
        fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
            syn::visit_mut::visit_expr_method_call_mut(self, call);
            if call.method != "query" || call.args.len() != 1 {
                return;
            }
            self.seen += 1;
            let syn::Expr::Reference(reference) = &call.args[0] else {
                return;
            };
            let syn::Expr::Call(new) = &*reference.expr else {
                return;
            };
            if !text(&new.func).ends_with("QueryParam :: new") || new.args.len() != 2 {
                return;
            }
            let syn::Expr::Reference(value) = &new.args[1] else {
                return;
            };
            if !self.option_params.contains(&text(&value.expr)) {
                return;
            }
            let (name, value) = (new.args[0].clone(), new.args[1].clone());
            call.method = syn::Ident::new("optional_query", call.method.span());
            call.args = syn::parse_quote!(#name, #value);
            self.rewritten += 1;
        }
    }
    let mut rewriter = Rewriter {
        option_params: Vec::new(),
        rewritten: 0,
        seen: 0,
    };
    rewriter.visit_file_mut(file);
    if rewriter.rewritten > 0 {
        import_first(file, OPTIONAL_QUERY)?;
    }
    Ok(Sites {
        applicable: rewriter.seen > 0,
        rewritten: rewriter.rewritten,
        ..Sites::default()
    })
}
