//! Broken and hostile clients over raw sockets: each gets a clear answer (or
//! a closed connection where no answer is possible), and the emulator keeps
//! serving correct requests throughout.

use crate::common;
use crate::common::*;
use crate::raw_socket::*;
use momento_http_emulator::Emulator;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

#[tokio::test]
async fn requests_refused_before_routing_get_json_errors() {
    let env = start().await;
    let addr = env.emu.local_addr();
    let many_headers: String = (0..101).map(|i| format!("x-h{i}: v\r\n")).collect();
    let long_target = format!("/topics/c/{}", "a".repeat(70 * 1024));
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (
            "a header line without a colon",
            b"GET /topics/c/t HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n".to_vec(),
            400,
        ),
        (
            "differing duplicate Content-Length",
            b"POST /topics/c/t HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab"
                .to_vec(),
            400,
        ),
        (
            "a control byte in the path",
            b"GET /topics/c/t\x01x HTTP/1.1\r\nhost: x\r\n\r\n".to_vec(),
            400,
        ),
        (
            "more than 100 headers",
            format!("GET /topics/c/t HTTP/1.1\r\nhost: x\r\n{many_headers}\r\n").into_bytes(),
            431,
        ),
        (
            "a target over 64 KiB",
            format!("GET {long_target} HTTP/1.1\r\nhost: x\r\n\r\n").into_bytes(),
            414,
        ),
    ];
    for (what, request, status) in cases {
        let answer = raw(addr, &request).await;
        assert_eq!(answer.status, status, "{what}: {answer:?}");
        assert!(
            answer
                .head
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{what}: {answer:?}"
        );
        let json = answer.json();
        assert_eq!(json["status"], status, "{what}: {json}");
        assert!(
            json["detail"].as_str().is_some_and(|d| d.len() > 20),
            "{what}: {json}"
        );
        assert_eq!(env.publish("t", "still serving").await, 204, "after {what}");
    }
}

/// A one-shot publish fault answering `status`.
fn fault_with_status(status: u16) -> momento_http::admin_wire::FaultRequest {
    use momento_http::admin_wire::{FaultAction, FaultOperation, FaultRequest};
    FaultRequest {
        action: FaultAction {
            status: Some(status),
            ..FaultAction::default()
        },
        cache: None,
        count: std::num::NonZeroU32::MIN,
        operation: FaultOperation::Publish,
        topic: None,
    }
}

#[tokio::test]
async fn faults_with_statuses_that_cannot_be_answers_are_refused() {
    let env = start().await;
    for status in [100, 101, 199, 600] {
        let err = env
            .admin
            .inject_fault(&fault_with_status(status))
            .await
            .expect_err("refused");
        assert_eq!(err.status(), Some(400), "status {status}: {err}");
        assert!(err.to_string().contains("200 to 599"), "{err}");
    }
    assert_eq!(env.publish("t", "x").await, 204, "nothing was armed");
    // 204, 205 and 304 are answered without a body.
    for status in [204u16, 205, 304] {
        env.admin
            .inject_fault(&fault_with_status(status))
            .await
            .expect("armed");
        let answer = raw(
            env.emu.local_addr(),
            &publish_request(&env.key, "/topics/c/t"),
        )
        .await;
        assert_eq!(answer.status, status, "{answer:?}");
        assert!(answer.body.is_empty(), "{answer:?}");
        assert!(
            !answer.head.to_ascii_lowercase().contains("content-type"),
            "{answer:?}"
        );
    }
    assert_eq!(env.publish("t", "x").await, 204);
}

#[tokio::test]
async fn idle_silent_and_half_sent_connections_are_closed_but_long_polls_are_not() {
    let env = start_with(Emulator::builder().idle_timeout(Duration::from_millis(300))).await;
    env.admin
        .set_long_poll_wait(Duration::from_millis(800))
        .await
        .expect("long-poll wait set");
    let addr = env.emu.local_addr();
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /topics/c/t HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut kept_alive = TcpStream::connect(addr).await.unwrap();
    kept_alive
        .write_all(&publish_request(&env.key, "/topics/c/t"))
        .await
        .unwrap();
    assert_eq!(read_answer(&mut kept_alive).await.status, 204);

    // The long poll waits longer than the idle timeout and is answered in full.
    let started = Instant::now();
    let mut poller = TcpStream::connect(addr).await.unwrap();
    poller
        .write_all(
            format!(
                "GET /topics/c/t?sequence_number=2&sequence_page={} HTTP/1.1\r\nhost: x\r\nauthorization: {}\r\n\r\n",
                env.page("t").await,
                env.key
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let polled = read_answer(&mut poller).await;
    assert_eq!(polled.status, 200, "{polled:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );

    for (what, s) in [
        ("silent", &mut silent),
        ("half-sent", &mut half),
        ("idle keep-alive", &mut kept_alive),
    ] {
        assert!(
            closed_within(s, Duration::from_secs(2)).await,
            "{what} stays open"
        );
    }
    assert_eq!(env.publish("t", "still serving").await, 204);
}

#[tokio::test]
async fn a_publish_body_that_stops_arriving_gets_a_json_408() {
    let env = start_with(Emulator::builder().idle_timeout(Duration::from_millis(300))).await;
    let mut s = TcpStream::connect(env.emu.local_addr()).await.unwrap();
    s.write_all(
        format!(
            "POST /topics/c/t HTTP/1.1\r\nhost: x\r\nauthorization: {}\r\ncontent-length: 100\r\n\r\nonly part",
            env.key
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let started = Instant::now();
    let answer = read_answer(&mut s).await;
    assert_eq!(answer.status, 408, "{answer:?}");
    assert!(
        answer.json()["detail"]
            .as_str()
            .unwrap_or("")
            .contains("body")
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(env.publish("t", "still serving").await, 204);
}

#[tokio::test]
async fn connections_past_the_cap_get_a_json_503_and_service_goes_on() {
    let env = start_with(
        Emulator::builder()
            .max_connections(8)
            .idle_timeout(Duration::from_secs(30)),
    )
    .await;
    let addr = env.emu.local_addr();
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    // Let the server accept them all before the next one arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let refused = raw(addr, &publish_request(&env.key, "/topics/c/t")).await;
    assert_eq!(refused.status, 503, "{refused:?}");
    let json = refused.json();
    assert!(
        json["detail"]
            .as_str()
            .unwrap_or("")
            .contains("max-connections"),
        "{json}"
    );
    drop(idle);
    // Served again once the emulator has seen those connections close.
    let started = Instant::now();
    loop {
        let answer = raw(addr, &publish_request(&env.key, "/topics/c/t")).await;
        if answer.status == 204 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "{answer:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn near_the_open_file_limit_the_binary_refuses_clearly_instead_of_stopping() {
    let dir = std::env::temp_dir().join(format!("emu-fd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key");
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 256 && exec '{}' --listen 127.0.0.1:0 --cache c --write-api-key '{}' --idle-timeout 60s",
            env!("CARGO_BIN_EXE_momento-http-emulator"),
            key_file.display()
        ))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the emulator");
    let (key, endpoint) = common::written_key(&key_file).await;
    let addr: SocketAddr = endpoint.trim_start_matches("http://").parse().unwrap();
    let result = async {
        // More idle sockets than the emulator has file descriptors.
        let mut idle = Vec::new();
        for _ in 0..300 {
            idle.push(TcpStream::connect(addr).await.expect("connect"));
        }
        // Let the emulator work through them: it serves what it can and
        // answers the rest 503, each refusal done within a second.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let answer = raw(addr, &publish_request(&key, "/topics/c/t")).await;
        assert_eq!(answer.status, 503, "{answer:?}");
        assert!(
            answer.json()["detail"]
                .as_str()
                .unwrap_or("")
                .contains("connections")
        );
        drop(idle);
        let started = Instant::now();
        loop {
            let answer = raw(addr, &publish_request(&key, "/topics/c/t")).await;
            if answer.status == 204 {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(5), "{answer:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let outcome = tokio::time::timeout(Duration::from_secs(20), result).await;
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    outcome.expect("bounded");
}

#[tokio::test]
async fn names_with_encoded_cr_lf_cannot_forge_log_lines() {
    let captured = capture_logs();

    let env = start().await;
    let forged = "x%0D%0AINFO%20forged%20line";
    let answer = raw(
        env.emu.local_addr(),
        &publish_request(&env.key, &format!("/topics/c/{forged}")),
    )
    .await;
    assert_eq!(answer.status, 204, "{answer:?}");
    let missing_cache = raw(
        env.emu.local_addr(),
        &publish_request(&env.key, &format!("/topics/{forged}/t")),
    )
    .await;
    assert_eq!(missing_cache.status, 404, "{missing_cache:?}");

    let mut logs = captured.text();
    assert!(logs.contains("publish"), "nothing was logged: {logs}");
    assert!(
        !logs.lines().any(|l| l.starts_with("INFO forged line")),
        "a forged line: {logs}"
    );
    assert!(!logs.contains('\r'), "a raw CR in the log: {logs}");
    logs.retain(|c| c != '\n');
    assert!(logs.contains("\\r\\n"), "the name is shown escaped: {logs}");
}

#[tokio::test]
async fn invalid_percent_escapes_are_a_400_that_says_where() {
    let env = start().await;
    let addr = env.emu.local_addr();
    for (path, at) in [
        ("/topics/c/%zz", "byte 10 of the path"),
        ("/topics/c/ab%", "byte 12 of the path"),
        (
            "/topics/c/t?sequence_number=%g0",
            "byte 16 of the query string",
        ),
    ] {
        let answer = raw(addr, &publish_request(&env.key, path)).await;
        assert_eq!(answer.status, 400, "{path}: {answer:?}");
        let detail = answer.json()["detail"].as_str().unwrap_or("").to_string();
        assert!(detail.contains(at), "{path}: {detail}");
    }
    // `%25zz` is the valid spelling of the topic `%zz`, and the only one.
    let answer = raw(addr, &publish_request(&env.key, "/topics/c/%25zz")).await;
    assert_eq!(answer.status, 204, "{answer:?}");
    let state = env
        .admin
        .inspect_topic("c", "%zz")
        .await
        .expect("inspected");
    assert_eq!(state.next_sequence_number, 2, "{state:?}");
}
