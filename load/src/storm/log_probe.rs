//! Log forging: topic and cache names with an encoded CR LF, published to an
//! emulator of its own whose log is captured; no raw CR or LF from a name may
//! reach it (a forged line would start `INFO forged`).
//!
//! The capture is a thread-local tracing subscriber, so the emulator runs on
//! a current-thread runtime on a thread of its own.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use momento_http_emulator::Emulator;

use super::generate::{BadRequest, BodyMode};
use super::raw_http::{self, Answer};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The forging names, as request targets.
const TARGETS: [&str; 3] = [
    "/topics/storm/x%0D%0AINFO%20forged%20line",
    "/topics/x%0D%0AINFO%20forged/t",
    "/topics/storm/y%0AINFO%20forged%20too",
];

fn publish(target: &str, key: &str) -> BadRequest {
    let head = format!(
        "POST {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: {key}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n"
    );
    BadRequest {
        kind: "log forging",
        head: head.into_bytes(),
        body: b"hi".to_vec(),
        mode: BodyMode::Whole,
        malformed_http: false,
        head_only: false,
        expect: None,
    }
}

/// Run the probe (blocking; call it from `spawn_blocking`): what the log
/// showed, or how it was forged.
pub fn probe() -> Result<String, String> {
    std::thread::spawn(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let statuses = tracing::subscriber::with_default(subscriber, || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot build a runtime: {e}"))?;
            runtime.block_on(async {
                let emulator = Emulator::builder()
                    .cache("storm")
                    .start()
                    .await
                    .map_err(|e| format!("cannot start the emulator: {e}"))?;
                let mut statuses = Vec::new();
                for target in TARGETS {
                    let answer = tokio::time::timeout(
                        Duration::from_secs(10),
                        raw_http::send(
                            emulator.local_addr(),
                            &publish(target, &emulator.api_key()),
                        ),
                    )
                    .await
                    .map_err(|_| format!("{target}: no answer in 10 s"))?
                    .unwrap_or(Answer::Closed);
                    match answer {
                        Answer::Response { status, .. } => statuses.push(status),
                        other => return Err(format!("{target}: {other:?}")),
                    }
                }
                emulator.shutdown().await;
                Ok(statuses)
            })
        })?;
        let logs = String::from_utf8_lossy(&captured.0.lock().unwrap_or_else(|e| e.into_inner()))
            .into_owned();
        if !logs.contains("forged") {
            return Err(format!(
                "the names were not logged at all, so the probe proves nothing: {logs}"
            ));
        }
        if let Some(line) = logs
            .lines()
            .find(|l| l.trim_start().starts_with("INFO forged"))
        {
            return Err(format!("a forged log line: {line:?}"));
        }
        if logs.contains('\r') {
            return Err("a raw CR in the log".into());
        }
        if statuses
            .iter()
            .any(|&s| !(200..300).contains(&s) && s != 400 && s != 404)
        {
            return Err(format!(
                "statuses {statuses:?}: expected 2xx, 400 or (no such cache) 404"
            ));
        }
        Ok(format!(
            "{} names with CR LF answered {statuses:?}, logged escaped ({} log bytes)",
            TARGETS.len(),
            logs.len()
        ))
    })
    .join()
    .unwrap_or_else(|_| Err("the log probe panicked".into()))
}
