//! An emulator per test, and the binary to run against it.

use std::time::Duration;

use momento_http_emulator::{Emulator, RunningEmulator, TokenSpec};

/// The binary under test, built by Cargo for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_momento-http");

/// The cache every emulator starts with.
pub const CACHE: &str = "my-cache";

/// A running emulator and the runtime serving it (the emulator is dropped first).
pub struct Emu {
    pub emulator: RunningEmulator,
    pub rt: tokio::runtime::Runtime,
}

impl Emu {
    /// An emulator with [`CACHE`] and short long polls, so an idle
    /// subscription notices `--timeout` and Ctrl-C at once. Its admin API has
    /// a listener of its own, so it stays reachable during a `refuse` outage.
    pub fn start() -> Emu {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = rt
            .block_on(
                Emulator::builder()
                    .cache(CACHE)
                    .long_poll_wait(Duration::from_millis(300))
                    .admin_listen("127.0.0.1:0".parse().unwrap())
                    .start(),
            )
            .expect("the emulator starts");
        Emu { emulator, rt }
    }

    /// The binary with the emulator's full-access key in `MOMENTO_API_KEY`.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = bare_cmd();
        cmd.env("MOMENTO_API_KEY", self.emulator.api_key());
        cmd
    }

    /// The emulator's typed admin client (evict, reset, webhooks).
    pub fn admin(&self) -> momento_http::EmulatorAdmin {
        momento_http::EmulatorAdmin::new(&self.emulator.admin_url()).expect("admin client")
    }

    /// Stages an outage of the topic routes in `mode` until [`Emu::end_outage`].
    pub fn start_outage(&self, mode: momento_http::admin_wire::OutageMode) {
        let admin = self.admin();
        let request = momento_http::admin_wire::OutageRequest {
            mode,
            duration_ms: None,
            retry_after_seconds: None,
        };
        self.rt
            .block_on(admin.start_outage(&request))
            .expect("the outage starts");
    }

    /// Ends the outage [`Emu::start_outage`] began.
    pub fn end_outage(&self) {
        let admin = self.admin();
        self.rt
            .block_on(admin.end_outage())
            .expect("the outage ends");
    }

    /// A key for this emulator with `spec`.
    pub fn key(&self, spec: &TokenSpec) -> String {
        self.emulator.mint_token(spec)
    }

    /// Publishes `values` as text through the binary.
    pub fn publish(&self, topic: &str, values: &[&str]) {
        for value in values {
            self.cmd()
                .args(["topic", "publish", CACHE, topic, value])
                .assert()
                .success();
        }
    }

    /// The topic's current page, from the admin API.
    pub fn page(&self, topic: &str) -> u64 {
        self.rt
            .block_on(self.admin().inspect_topic(CACHE, topic))
            .expect("inspect")
            .sequence_page
    }
}

/// The binary with no credential and nothing from this machine's environment
/// that it reads, bounded in time.
pub fn bare_cmd() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(BIN);
    for var in [
        "MOMENTO_API_KEY",
        "MOMENTO_ENDPOINT",
        "MOMENTO_WEBHOOK_SECRET",
        "RUST_LOG",
    ] {
        cmd.env_remove(var);
    }
    cmd.timeout(Duration::from_secs(10));
    cmd
}

/// Standard output as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// Standard error as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// The `(from, page)` of the `resume with: --from N --page P` line on stderr.
pub fn resume_point(stderr: &str) -> (u64, u64) {
    let tail = stderr
        .split("resume with: --from ")
        .nth(1)
        .unwrap_or_else(|| panic!("no resume line in: {stderr}"));
    let mut words = tail.split_whitespace();
    let from = words.next().unwrap().parse().unwrap();
    assert_eq!(words.next(), Some("--page"), "{stderr}");
    let page = words.next().unwrap().parse().unwrap();
    (from, page)
}

/// A base URL where nothing listens: a port bound, then released.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
