//! The map holds: every D and I check is named against a broken server
//! (or still listed without one), each broken server fails what the map
//! names and passes the rest of its scope, each unbroken one passes its
//! whole scope, and the checks a live run never exercises are listed.
//!
//! Cost: the servers run six at once, about 17 s of wall time.

use super::map::{CONTROLS, LIVE_RUN_NEVER_EXERCISES, MAP, WITHOUT_BROKEN_SERVER};
use super::servers::{emulator_only, judged};
use futures::StreamExt as _;
use momento_http_conformance::checks;
use momento_http_conformance::report::Outcome;
use std::collections::BTreeSet;

#[test]
fn every_d_and_i_check_fails_on_a_broken_server_of_the_map() {
    let all = checks::all();
    let mapped: BTreeSet<&str> = MAP.iter().flat_map(|b| b.fails.iter().copied()).collect();
    let mut problems = Vec::new();
    for c in &all {
        let listed = WITHOUT_BROKEN_SERVER.contains(&c.id);
        match (judged(c.evidence), mapped.contains(c.id), listed) {
            (true, false, false) => problems.push(format!(
                "{} ({:?} {}) has no broken server: add a row to MAP in \
                 conformance/tests/it/broken_server/map.rs naming a server it fails \
                 (a new Fault in faulty/ when the emulator can be broken that way)",
                c.id, c.evidence, c.spec
            )),
            (true, true, true) => problems.push(format!(
                "{} has a broken server now: take it off WITHOUT_BROKEN_SERVER",
                c.id
            )),
            (false, true, _) | (false, _, true) => problems.push(format!(
                "{} is {:?}: only D and I checks are held to a broken server",
                c.id, c.evidence
            )),
            _ => {}
        }
    }
    let known: BTreeSet<&str> = all.iter().map(|c| c.id).collect();
    for id in mapped.iter().chain(WITHOUT_BROKEN_SERVER) {
        if !known.contains(id) {
            problems.push(format!("{id} is no check of the suite"));
        }
    }
    for b in MAP {
        let scope = b.server.scope();
        for id in b.fails {
            if !scope.contains(id) {
                problems.push(format!("{:?} is not judged on {id}", b.server));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checks_a_live_run_never_exercises_are_the_emulators_own() {
    let derived: BTreeSet<&str> = checks::all()
        .into_iter()
        .filter(|c| emulator_only(c.id, c.needs_admin))
        .map(|c| c.id)
        .collect();
    let listed: BTreeSet<&str> = LIVE_RUN_NEVER_EXERCISES.iter().copied().collect();
    assert_eq!(
        listed, derived,
        "LIVE_RUN_NEVER_EXERCISES is every check that needs the admin API or is `emulator.*`"
    );
}

/// Broken servers run at once: each waits on its checks' long polls and
/// receivers far more than it computes.
const SERVERS_AT_ONCE: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_broken_server_fails_what_the_map_names_and_passes_the_rest() {
    // The webhook runs first: they wait longest (a 6 s receiver, then 4 s
    // watching for a retry).
    let mut all: Vec<_> = MAP.iter().chain(CONTROLS).collect();
    all.sort_by_key(|b| !b.server.scope().iter().any(|id| id.starts_with("webhook.")));
    let runs = futures::stream::iter(all)
        .map(|b| async move {
            let scope = b.server.scope();
            (b, b.server.run(&scope).await)
        })
        .buffer_unordered(SERVERS_AT_ONCE)
        .collect::<Vec<_>>()
        .await;
    let mut problems = Vec::new();
    for (b, results) in runs {
        for (id, r) in &results {
            let must_fail = b.fails.contains(&id.as_str());
            let wrong = !matches!(
                (must_fail, r.outcome),
                (true, Outcome::Fail) | (false, Outcome::Pass)
            );
            if wrong {
                let want = if must_fail { "Fail" } else { "Pass" };
                problems.push(format!(
                    "{:?}: {id} should {want}, was {:?}: {}",
                    b.server, r.outcome, r.detail
                ));
            }
        }
    }
    problems.sort();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
