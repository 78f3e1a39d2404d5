//! `momento-http-conformance`: see the library's [`cli`](momento_http_conformance::cli).

fn main() -> std::process::ExitCode {
    momento_http_conformance::cli::main()
}
