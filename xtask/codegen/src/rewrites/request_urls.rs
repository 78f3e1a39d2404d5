//! Request URLs from a base parsed once.

use anyhow::Result;
use syn::visit_mut::VisitMut;

use super::{Context, Rewrite, Sites, format_args_of, text};

pub const REWRITE: Rewrite = Rewrite {
    name: "request-urls",
    reason: "performance: progenitor builds each URL as text with format!(\"{}/topics/{}/{}\", ..) \
             and reqwest parses all of it, host included, on every request; with hooks, \
             Hooks::request_url (client/src/hooks.rs) sets the path on a base parsed once; \
             publish_cost: 124,842 instructions per publish with it, 132,875 without (6.0%)",
    apply,
};

/// `let url = format!("{}/a/{}", self.baseurl, x)` becomes
/// `let url = self.inner.request_url(&self.baseurl, &["/a/", &*x])?` in a
/// client with hooks; a client without them is left alone.
fn apply(file: &mut syn::File, context: &Context) -> Result<Sites> {
    struct Rewriter {
        sites: Sites,
    }
    impl VisitMut for Rewriter {
        fn visit_local_mut(&mut self, local: &mut syn::Local) {
            syn::visit_mut::visit_local_mut(self, local);
            if text(&local.pat) != "url" {
                return;
            }
            let Some(init) = local.init.as_mut() else {
                return;
            };
            match &*init.expr {
                syn::Expr::Macro(mac) if let Some(url) = request_url(&mac.mac) => {
                    *init.expr = url;
                    self.sites.rewritten += 1;
                }
                other => self
                    .sites
                    .missed
                    .push(format!("`let url = {}`", text(other))),
            }
        }
    }
    if !context.hooked {
        return Ok(Sites::default());
    }
    let mut rewriter = Rewriter {
        sites: Sites {
            applicable: true,
            ..Sites::default()
        },
    };
    rewriter.visit_file_mut(file);
    Ok(rewriter.sites)
}

/// What `format!(template, self.baseurl, args..)` becomes, if the template
/// holds nothing but text and `{}` and starts with the base.
fn request_url(mac: &syn::Macro) -> Option<syn::Expr> {
    let mut args = format_args_of(mac)?.into_iter();
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    }) = args.next()?
    else {
        return None;
    };
    let template = template.value();
    let pieces: Vec<&str> = template.split("{}").collect();
    let args: Vec<syn::Expr> = args.collect();
    if pieces.iter().any(|p| p.contains(['{', '}'])) || pieces.len() != args.len() + 1 {
        return None;
    }
    // The base comes first; the hooks hold it parsed.
    let (base, args) = args.split_first()?;
    if !pieces[0].is_empty() || text(base) != "self . baseurl" {
        return None;
    }
    let mut path: Vec<syn::Expr> = Vec::new();
    for (i, piece) in pieces[1..].iter().enumerate() {
        if !piece.is_empty() {
            path.push(syn::parse_quote!(#piece));
        }
        if let Some(arg) = args.get(i) {
            path.push(syn::parse_quote!(&*#arg));
        }
    }
    Some(syn::parse_quote!(
        self.inner
            .request_url(&self.baseurl, &[#(#path),*])
            .map_err(|e| Error::InvalidRequest(e.to_string()))?
    ))
}
