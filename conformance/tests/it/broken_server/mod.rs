//! The suite can fail: pointed at servers that break one rule each, the
//! checks for that rule fail with messages naming it, and the same checks
//! pass the server without the breakage.
//!
//! One room per family: `legacy` (a server of the seeds' era: 200 for a
//! publish, plain-text errors, no wait), `fake` (a small topic server,
//! correct unless a `Breakage` says otherwise, and an `Outage` that cuts
//! subscribe connections), `delivery` (loss, phantom, reorder, repeat,
//! skipped numbers, stale pages, discontinuities), `long_poll` (no wait, a
//! poll woken late), `connections` (connections lost under the suite's
//! own subscribers), `requirements` (the emulator behind a `lenient`
//! proxy that lets through a request the docs require refused) and
//! `cache_keys` (the same proxy folding, normalising or mis-decoding keys)
//! and `webhook_timing` (an emulator giving webhook receivers 1 s), and
//! `faulty` (the emulator behind a proxy that breaks one behaviour).
//!
//! `map` names, for every D and I check, a broken server that it fails;
//! `map_holds` runs them all and holds the map to what they do; `servers`
//! names every broken server and the checks it is judged on.

mod cache_keys;
mod connections;
mod delivery;
mod fake;
mod faulty;
mod legacy;
mod lenient;
mod long_poll;
mod map;
mod map_holds;
mod requirements;
mod servers;
mod webhook_timing;

use axum::Router;

/// Serve `app` on a free port; its base URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}
