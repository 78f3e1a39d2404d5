//! `cargo xtask codegen [--check]`: spec → transform → progenitor → prettyplease → header.
//!
//! The spec in `openapi/` stays honest about the wire; progenitor cannot read all
//! of it, so [`progenitor_view`] applies a small, documented transform first.
//! `--check` writes nothing: it regenerates in memory and compares.

use anyhow::{Context, Result, bail};
use openapiv3::{OpenAPI, ReferenceOr, RequestBody, Schema, SchemaKind, Type};
use std::path::Path;

/// One spec and the Rust file progenitor makes of it (paths relative to the workspace root).
struct Output {
    spec: &'static str,
    rust: &'static str,
    /// The type the hand-written layer hangs its request hooks on, if any.
    inner_type: Option<&'static str>,
}

/// Every generated file. The Topics API carries hooks (auth placement, media
/// type, timeouts); the emulator's admin API is plain.
const OUTPUTS: &[Output] = &[
    Output {
        spec: "openapi/momento-http.yaml",
        rust: "client/src/generated.rs",
        inner_type: Some("crate::hooks::Hooks"),
    },
    Output {
        spec: "openapi/emulator-admin.yaml",
        rust: "client/src/generated_admin.rs",
        inner_type: None,
    },
];
/// The media type progenitor generates for bodies the spec offers in several.
const GENERATED_BODY_MEDIA_TYPE: &str = "application/octet-stream";

/// Regenerate every client, or with `check`, fail when a checked-in one differs.
pub fn run(root: &Path, check: bool) -> Result<()> {
    let mut stale = Vec::new();
    for output in OUTPUTS {
        let generated = generate(root, output)?;
        let path = root.join(output.rust);
        if check {
            let existing = std::fs::read_to_string(&path).unwrap_or_default();
            if normalise(&existing) == normalise(&generated) {
                println!("ok    {} matches {}", output.rust, output.spec);
            } else {
                println!(
                    "STALE {} differs from what {} generates:",
                    output.rust, output.spec
                );
                println!("{}", first_differences(output, &existing, &generated, 40));
                stale.push(output.rust);
            }
        } else {
            std::fs::write(&path, generated)
                .with_context(|| format!("cannot write {}", output.rust))?;
            println!("wrote {}", output.rust);
        }
    }
    if !stale.is_empty() {
        bail!(
            "{} out of date relative to the spec: run `cargo xtask codegen` and commit the \
             result (generated code is never edited by hand)",
            stale.join(", ")
        );
    }
    Ok(())
}

/// The full text of one generated file for the spec currently on disk.
fn generate(root: &Path, output: &Output) -> Result<String> {
    let spec_path = output.spec;
    let spec_text = std::fs::read_to_string(root.join(spec_path))
        .with_context(|| format!("cannot read {spec_path}"))?;
    let spec: OpenAPI = serde_yaml::from_str(&spec_text)
        .with_context(|| format!("{spec_path} is not OpenAPI 3.0"))?;
    let spec = progenitor_view(spec).with_context(|| spec_path.to_string())?;

    let mut settings = progenitor::GenerationSettings::new();
    settings.with_interface(progenitor::InterfaceStyle::Positional);
    if let Some(inner) = output.inner_type {
        settings.with_inner_type(
            inner
                .parse()
                .map_err(|e| anyhow::anyhow!("bad inner type {inner}: {e:?}"))?,
        );
    }
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| anyhow::anyhow!("progenitor rejected {spec_path}: {e}"))?;
    let mut file: syn::File = syn::parse2(tokens).context("progenitor produced unparsable Rust")?;
    use_strict_path_encoding(&mut file)?;
    drop_api_version_header(&mut file)?;
    drop_empty_header_maps(&mut file)?;
    encode_str_params_in_place(&mut file)?;
    build_request_urls(&mut file, output.inner_type.is_some())?;
    skip_absent_query_params(&mut file)?;
    Ok(format!(
        "// generated from {spec_path} by cargo xtask codegen; do not edit\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// What progenitor is given instead of the honest spec. Two changes, both about
/// request bodies, both undone by the hand-written layer:
///
/// 1. A body offered in several media types keeps only `application/octet-stream`
///    (progenitor takes one media type per body). Its generated parameter takes any
///    `Into<reqwest::Body>`; `client/src/hooks.rs` relabels text publishes as
///    `text/plain`.
/// 2. `maxLength`/`minLength` on a raw body are dropped (progenitor refuses them);
///    the client checks the 4096-byte limit itself before sending.
fn progenitor_view(mut spec: OpenAPI) -> Result<OpenAPI> {
    for (path, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            bail!("path {path} is a $ref; inline it");
        };
        let operations = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ];
        for (method, op) in operations {
            let Some(ReferenceOr::Item(body)) = op.as_mut().and_then(|op| op.request_body.as_mut())
            else {
                continue;
            };
            single_media_type(body).with_context(|| format!("{method} {path}"))?;
        }
    }
    Ok(spec)
}

fn single_media_type(body: &mut RequestBody) -> Result<()> {
    if body.content.len() > 1 {
        let Some(kept) = body.content.swap_remove(GENERATED_BODY_MEDIA_TYPE) else {
            bail!("body offers several media types but not {GENERATED_BODY_MEDIA_TYPE}");
        };
        body.content.clear();
        body.content
            .insert(GENERATED_BODY_MEDIA_TYPE.to_string(), kept);
    }
    for media in body.content.values_mut() {
        if let Some(ReferenceOr::Item(Schema {
            schema_kind: SchemaKind::Type(Type::String(s)),
            ..
        })) = media.schema.as_mut()
        {
            s.max_length = None;
            s.min_length = None;
        }
    }
    Ok(())
}

/// The path encoder the generated code calls instead of progenitor's.
const PATH_ENCODER: &str = "crate::path::encode_path";

/// progenitor's `encode_path` leaves `\` (and a few other bytes) as they are,
/// and the URL parser turns `\` into `/` for http(s): topic `a\b` would be
/// sent to `/topics/c/a/b`. The generated code imports a stricter encoder
/// (every byte outside RFC 3986's unreserved set) from the hand-written layer.
fn use_strict_path_encoding(file: &mut syn::File) -> Result<()> {
    let mut replaced = false;
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
            replaced |= group.items.len() != before;
        }
    }
    if !replaced {
        bail!(
            "generated code no longer imports progenitor_client::encode_path; revisit use_strict_path_encoding"
        );
    }
    import_first(file, PATH_ENCODER)
}

/// progenitor sends `api-version: <info.version>` with every request, a
/// Dropshot convention. Momento's API documents no such header, and the spec
/// is the wire's single source of truth, so the statement that adds it goes.
fn drop_api_version_header(file: &mut syn::File) -> Result<()> {
    use quote::ToTokens as _;
    use syn::visit_mut::VisitMut;
    struct Dropper {
        dropped: usize,
    }
    impl VisitMut for Dropper {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let before = block.stmts.len();
            block.stmts.retain(|stmt| {
                !stmt
                    .to_token_stream()
                    .to_string()
                    .contains("from_static (\"api-version\")")
            });
            self.dropped += before - block.stmts.len();
            syn::visit_mut::visit_block_mut(self, block);
        }
    }
    let mut dropper = Dropper { dropped: 0 };
    dropper.visit_file_mut(file);
    if dropper.dropped == 0 {
        bail!(
            "generated code no longer adds an api-version header; revisit drop_api_version_header"
        );
    }
    Ok(())
}

/// With the api-version header gone, operations without header parameters
/// build an empty `header_map` (two allocations) and merge it into the
/// request. Where nothing else touches it, both statements go.
fn drop_empty_header_maps(file: &mut syn::File) -> Result<()> {
    use quote::ToTokens as _;
    use syn::visit_mut::VisitMut;
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
                && call.args[0].to_token_stream().to_string() == "header_map"
            {
                *expr = (*call.receiver).clone();
            }
        }
    }
    impl VisitMut for Dropper {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let declares = |stmt: &syn::Stmt| {
                let text = stmt.to_token_stream().to_string();
                text.starts_with(
                    "let mut header_map = :: reqwest :: header :: HeaderMap :: with_capacity",
                )
            };
            let uses = block
                .stmts
                .iter()
                .map(|stmt| {
                    stmt.to_token_stream()
                        .to_string()
                        .matches("header_map")
                        .count()
                })
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
    if dropper.dropped == 0 {
        bail!("generated code no longer builds empty header maps; revisit drop_empty_header_maps");
    }
    Ok(())
}

/// The names of `sig`'s parameters whose type satisfies `wanted`.
fn params_where(sig: &syn::Signature, wanted: impl Fn(&syn::Type) -> bool) -> Vec<String> {
    use quote::ToTokens as _;
    sig.inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(arg) if wanted(&arg.ty) => {
                Some(arg.pat.to_token_stream().to_string())
            }
            _ => None,
        })
        .collect()
}

/// progenitor formats every path parameter with `encode_path(&x.to_string())`:
/// for a `&str` parameter that copy is wasted, and the hand-written encoder
/// takes `&str`. Only parameters declared `&str` are rewritten.
fn encode_str_params_in_place(file: &mut syn::File) -> Result<()> {
    use quote::ToTokens as _;
    use syn::visit_mut::VisitMut;
    struct Rewriter {
        str_params: Vec<String>,
        rewritten: usize,
    }
    impl VisitMut for Rewriter {
        fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
            self.str_params = params_where(
                &f.sig,
                |ty| matches!(ty, syn::Type::Reference(r) if r.elem.to_token_stream().to_string() == "str"),
            );
            syn::visit_mut::visit_impl_item_fn_mut(self, f);
            self.str_params.clear();
        }
        /// The URL is built in `format!`, whose arguments syn keeps as tokens.
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            use syn::punctuated::Punctuated;
            if !mac.path.is_ident("format") {
                return;
            }
            let Ok(mut args) =
                mac.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
            else {
                return;
            };
            for arg in args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            mac.tokens = args.into_token_stream();
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            if call.func.to_token_stream().to_string() != "encode_path" || call.args.len() != 1 {
                return;
            }
            // `& x . to_string ()` with `x: &str`.
            let syn::Expr::Reference(reference) = &call.args[0] else {
                return;
            };
            let syn::Expr::MethodCall(to_string) = &*reference.expr else {
                return;
            };
            let name = to_string.receiver.to_token_stream().to_string();
            if to_string.method == "to_string"
                && to_string.args.is_empty()
                && self.str_params.contains(&name)
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
    if rewriter.rewritten == 0 {
        bail!(
            "generated code no longer calls encode_path(&x.to_string()); revisit encode_str_params_in_place"
        );
    }
    Ok(())
}

/// progenitor builds each request's URL with `format!("{}/topics/{}/{}", ..)`.
/// A format string that starts with an argument gives `format!` no size
/// estimate, so the `String` grows by reallocation on every request. The same
/// pieces joined with `[..].concat()` are measured first and allocated once.
///
/// With hooks, the URL is not text at all: `Hooks::request_url` sets the
/// path on a base parsed once (`client/src/hooks.rs`), because reqwest would
/// otherwise parse the whole text, host included, on every request.
///
/// Only plain `{}` placeholders are rewritten; anything else is left alone.
fn build_request_urls(file: &mut syn::File, hooked: bool) -> Result<()> {
    use quote::ToTokens as _;
    use syn::visit_mut::VisitMut;
    struct Rewriter {
        hooked: bool,
        rewritten: usize,
    }
    /// `[piece, &*arg, piece, ..]` for `format!(lit, args..)`, if the literal
    /// holds nothing but text and `{}`.
    fn pieces_of(mac: &syn::Macro) -> Option<Vec<syn::Expr>> {
        use syn::punctuated::Punctuated;
        if !mac.path.is_ident("format") {
            return None;
        }
        let args = mac
            .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
            .ok()?;
        let mut args = args.into_iter();
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
        let mut parts: Vec<syn::Expr> = Vec::new();
        for (i, piece) in pieces.iter().enumerate() {
            if !piece.is_empty() {
                parts.push(syn::parse_quote!(#piece));
            }
            if let Some(arg) = args.get(i) {
                parts.push(syn::parse_quote!(&*#arg));
            }
        }
        Some(parts)
    }
    /// What `let url = format!(..)` becomes.
    fn url_of(mac: &syn::Macro, hooked: bool) -> Option<syn::Expr> {
        let parts = pieces_of(mac)?;
        if !hooked {
            return Some(syn::parse_quote!([#(#parts),*].concat()));
        }
        // The base comes first; the hooks hold it parsed.
        let base: syn::Expr = syn::parse_quote!(&*self.baseurl);
        let (first, path) = parts.split_first()?;
        if first.to_token_stream().to_string() != base.to_token_stream().to_string() {
            return None;
        }
        Some(syn::parse_quote!(
            self.inner
                .request_url(&self.baseurl, &[#(#path),*])
                .map_err(|e| Error::InvalidRequest(e.to_string()))?
        ))
    }
    impl VisitMut for Rewriter {
        fn visit_local_mut(&mut self, local: &mut syn::Local) {
            syn::visit_mut::visit_local_mut(self, local);
            if local.pat.to_token_stream().to_string() != "url" {
                return;
            }
            let Some(init) = local.init.as_mut() else {
                return;
            };
            let syn::Expr::Macro(mac) = &*init.expr else {
                return;
            };
            if let Some(url) = url_of(&mac.mac, self.hooked) {
                *init.expr = url;
                self.rewritten += 1;
            }
        }
    }
    let mut rewriter = Rewriter {
        hooked,
        rewritten: 0,
    };
    rewriter.visit_file_mut(file);
    if rewriter.rewritten == 0 {
        bail!(
            "generated code no longer builds URLs with format!(\"{{}}/...\"); revisit build_request_urls"
        );
    }
    Ok(())
}

/// The trait the generated code calls for optional query parameters.
const OPTIONAL_QUERY: &str = "crate::query::OptionalQuery";

/// progenitor adds every query parameter with
/// `.query(&progenitor_client::QueryParam::new("name", &x))`, which rewrites
/// the URL even when `x` is `None`. For parameters declared `Option<..>` the
/// call becomes `.optional_query("name", &x)` (see `client/src/query.rs`),
/// which does nothing for `None`. A file without query parameters is left as
/// it is.
fn skip_absent_query_params(file: &mut syn::File) -> Result<()> {
    use quote::ToTokens as _;
    use syn::visit_mut::VisitMut;
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
            // `& progenitor_client :: QueryParam :: new (name , & x)`
            let syn::Expr::Reference(reference) = &call.args[0] else {
                return;
            };
            let syn::Expr::Call(new) = &*reference.expr else {
                return;
            };
            if !new
                .func
                .to_token_stream()
                .to_string()
                .ends_with("QueryParam :: new")
                || new.args.len() != 2
            {
                return;
            }
            let syn::Expr::Reference(value) = &new.args[1] else {
                return;
            };
            if !self
                .option_params
                .contains(&value.expr.to_token_stream().to_string())
            {
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
    if rewriter.seen == 0 {
        return Ok(());
    }
    if rewriter.rewritten == 0 {
        bail!(
            "generated code no longer adds query parameters with QueryParam::new; revisit skip_absent_query_params"
        );
    }
    import_first(file, OPTIONAL_QUERY)
}

/// Puts `use <path>;` at the top of the generated file, for code the
/// transforms point at the hand-written layer.
fn import_first(file: &mut syn::File, path: &str) -> Result<()> {
    let import: syn::Item = syn::parse_str(&format!("#[allow(unused_imports)] use {path};"))?;
    file.items.insert(0, import);
    Ok(())
}

fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// A unified diff of the first `max_lines` changed lines, checked-in vs fresh.
fn first_differences(output: &Output, existing: &str, generated: &str, max_lines: usize) -> String {
    let diff = similar::TextDiff::from_lines(existing, generated);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{} (checked in)", output.rust),
            &format!("{} (from {})", output.rust, output.spec),
        )
        .to_string();
    let mut lines: Vec<&str> = text.lines().take(max_lines).collect();
    if text.lines().count() > max_lines {
        lines.push("... (more differences)");
    }
    lines.join("\n")
}
