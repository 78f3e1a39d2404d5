//! The binary: `token` mints keys offline that a server with the same secret accepts.

use crate::common::*;
use momento_http_emulator::Emulator;

#[tokio::test]
async fn offline_tokens_work_against_a_server_with_the_same_secret() {
    let dir = std::env::temp_dir().join(format!("emu-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret_file = dir.join("secret");
    std::fs::write(&secret_file, "test-secret").unwrap();
    let env = start_with(Emulator::builder().secret("test-secret")).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_momento-http-emulator"))
        .args(["token", "--secret-file"])
        .arg(&secret_file)
        .args([
            "--endpoint",
            &env.base,
            "--cache",
            "c",
            "--topic",
            "t",
            "--role",
            "publish",
            "--ttl",
            "60s",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(env.publish_with(&key, "c", "t", "x").await, 204);
    assert_eq!(env.publish_with(&key, "c", "u", "x").await, 403);
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_momento-http-emulator"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in [
        "--listen",
        "--cache",
        "--write-api-key",
        "--documented-limits",
        "--log-format",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--help` lists every profile with what allows it; two profiles that
/// choose one point two ways stop the start with a message naming both.
#[test]
fn profiles_are_in_the_help_and_conflicting_ones_refused() {
    let bin = env!("CARGO_BIN_EXE_momento-http-emulator");
    let help = std::process::Command::new(bin)
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for p in momento_http_emulator::Profile::ALL {
        assert!(help.contains(&format!("{}:", p.name())), "--help lacks {p}");
    }
    assert!(help.contains("Allowed by docs/api.md §4"), "{help}");
    let out = std::process::Command::new(bin)
        .args(["--listen", "127.0.0.1:0"])
        .args(["--profile", "number-from-0", "--profile", "number-from-1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("number-from-0") && stderr.contains("number-from-1"),
        "{stderr}"
    );
    let out = std::process::Command::new(bin)
        .args(["--profile", "no-such-profile"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("round-trip-150ms"),
        "names the profiles: {stderr}"
    );
}
