//! `&str` path parameters are encoded without a copy.

use anyhow::Result;
use quote::ToTokens as _;
use syn::visit_mut::VisitMut;

use super::{Context, Rewrite, Sites, format_args_of, params_where, text};

pub const REWRITE: Rewrite = Rewrite {
    name: "str-params-in-place",
    reason: "performance: progenitor encodes every path parameter as \
             encode_path(&x.to_string()), a copy per parameter per request",
    apply,
};

fn apply(file: &mut syn::File, _: &Context) -> Result<Sites> {
    struct Rewriter {
        str_params: Vec<String>,
        rewritten: usize,
    }
    impl VisitMut for Rewriter {
        fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
            self.str_params = params_where(
                &f.sig,
                |ty| matches!(ty, syn::Type::Reference(r) if text(&r.elem) == "str"),
            );
            syn::visit_mut::visit_impl_item_fn_mut(self, f);
            self.str_params.clear();
        }
        /// The URL is built in `format!`, whose arguments syn keeps as tokens.
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            let Some(mut args) = format_args_of(mac) else {
                return;
            };
            for arg in args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.into_token_stream();
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            if text(&call.func) != "encode_path" || call.args.len() != 1 {
                return;
            }
            let syn::Expr::Reference(reference) = &call.args[0] else {
                return;
            };
            let syn::Expr::MethodCall(to_string) = &*reference.expr else {
                return;
            };
            if to_string.method == "to_string"
                && to_string.args.is_empty()
                && self.str_params.contains(&text(&to_string.receiver))
            {
                call.args[0] = (*to_string.receiver).clone();
                self.rewritten += 1;
            }
        }
    }
    let mut rewriter = Rewriter {
        str_params: Vec::new(),
        rewritten: 0,
    };
    rewriter.visit_file_mut(file);
    Ok(Sites {
        applicable: true,
        rewritten: rewriter.rewritten,
        ..Sites::default()
    })
}
