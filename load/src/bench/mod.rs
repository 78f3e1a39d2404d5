//! The benchmark: every scenario against a baseline measured in the same run.
//!
//! - `harness`: the emulator as benchmarked, paired throughput rounds,
//!   percentiles, CPU time.
//! - `baselines`: the 204 handler (bare and layered), loopback round trips.
//! - `floor`: the bare long-poll server `delivery_saturation` is judged against.
//! - `throughput`: `publish_throughput`, `client_overhead`.
//! - `cache`: `cache_throughput`, `cache_client_overhead` (mixed get/set).
//! - `latency`: `delivery_latency_light`, `delivery_saturation`.
//! - `fanout`, `memory` (`idle_subscriber_memory`), `suite` (`conformance_wall`).
//! - `report`: [`Scenario`], [`Report`], the table and the JSON.

mod baselines;
mod cache;
mod fanout;
mod floor;
mod harness;
mod latency;
mod memory;
mod report;
mod suite;
mod throughput;

pub use report::{Figures, Judged, Report, Scenario};

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// Run lengths.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Baseline/measured pairs per throughput scenario. Many short pairs
    /// rather than a few long ones: the median of their ratios then shrugs
    /// off the seconds when a neighbour on this shared machine takes the CPU.
    pub rounds: usize,
    /// Length of one throughput round.
    pub round: Duration,
    /// How long to measure loopback round trips.
    pub round_trips: Duration,
    /// Messages in `delivery_latency_light` (at 10 msg/s).
    pub light_messages: u64,
    /// Messages per run in `delivery_saturation`.
    pub saturation_messages: u64,
    /// Floor/emulator pairs in `delivery_saturation`.
    pub saturation_pairs: usize,
    /// Messages in the fan-out run.
    pub fanout_messages: u64,
}

impl Plan {
    /// `--quick` (well under 3 minutes) or the full run.
    pub fn new(quick: bool) -> Plan {
        if quick {
            Plan {
                rounds: 5,
                round: Duration::from_secs(1),
                round_trips: Duration::from_secs(1),
                light_messages: 30,
                saturation_messages: 1000,
                saturation_pairs: 1,
                fanout_messages: 20,
            }
        } else {
            Plan {
                rounds: 15,
                round: Duration::from_secs(1),
                round_trips: Duration::from_secs(3),
                light_messages: 100,
                saturation_messages: 5000,
                saturation_pairs: 3,
                fanout_messages: 100,
            }
        }
    }
}

/// A scenario run: its figure (or why it could not run).
type Run = Pin<Box<dyn Future<Output = anyhow::Result<Scenario>> + Send>>;

/// How to start a scenario with a plan.
type Start = fn(Plan) -> Run;

/// Every scenario, in run order: its name and how to run it.
pub fn scenarios() -> Vec<(&'static str, Start)> {
    vec![
        ("conformance_wall", |_| Box::pin(suite::conformance_wall())),
        ("publish_throughput", |p| {
            Box::pin(throughput::publish_throughput(p))
        }),
        ("client_overhead", |p| {
            Box::pin(throughput::client_overhead(p))
        }),
        ("cache_throughput", |p| Box::pin(cache::cache_throughput(p))),
        ("cache_client_overhead", |p| {
            Box::pin(cache::cache_client_overhead(p))
        }),
        ("delivery_latency_light", |p| {
            Box::pin(latency::delivery_latency_light(p))
        }),
        ("delivery_saturation", |p| {
            Box::pin(latency::delivery_saturation(p))
        }),
        ("idle_subscriber_memory", |_| {
            Box::pin(memory::idle_subscriber_memory())
        }),
        ("fanout", |p| Box::pin(fanout::fanout(p))),
    ]
}

/// The scenarios `--only` picks: the one named exactly `only` if there is
/// one (`client_overhead` is also part of `cache_client_overhead`), else
/// every one whose name contains it; all without it.
fn chosen(only: Option<&str>) -> Vec<(&'static str, Start)> {
    let all = scenarios();
    match only {
        None => all,
        Some(o) if all.iter().any(|(name, _)| *name == o) => {
            all.into_iter().filter(|(name, _)| *name == o).collect()
        }
        Some(o) => all
            .into_iter()
            .filter(|(name, _)| name.contains(o))
            .collect(),
    }
}

/// Runs the scenarios `only` picks (an exact name, else a part of names);
/// one that cannot run is reported as a missed target, and the others still
/// run.
pub async fn run(plan: Plan, only: Option<&str>) -> anyhow::Result<Report> {
    let chosen = chosen(only);
    if chosen.is_empty() {
        let names: Vec<_> = scenarios().into_iter().map(|(name, _)| name).collect();
        anyhow::bail!(
            "no scenario matches --only {:?}; the scenarios are {}",
            only.unwrap_or_default(),
            names.join(", ")
        );
    }
    let mut scenarios = Vec::with_capacity(chosen.len());
    for (name, scenario) in chosen {
        eprintln!("bench: {name} ...");
        let started = Instant::now();
        scenarios.push(
            scenario(plan)
                .await
                .unwrap_or_else(|e| Scenario::failed(name, &e)),
        );
        eprintln!(
            "bench: {name} done in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Report { scenarios })
}

#[cfg(test)]
mod tests {
    use super::{chosen, scenarios};

    fn names(only: Option<&str>) -> Vec<&'static str> {
        chosen(only).into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn scenario_names_are_unique_and_only_with_a_full_name_runs_just_that_one() {
        let all = names(None);
        assert_eq!(all.len(), scenarios().len());
        for name in &all {
            assert_eq!(names(Some(name)), vec![*name], "--only {name}");
        }
        for name in [
            "delivery_latency_light",
            "delivery_saturation",
            "cache_throughput",
            "cache_client_overhead",
        ] {
            assert!(all.contains(&name), "{name} is not in the table");
        }
    }

    #[test]
    fn only_with_part_of_a_name_runs_every_scenario_that_contains_it() {
        assert_eq!(
            names(Some("cache_")),
            vec!["cache_throughput", "cache_client_overhead"]
        );
        assert_eq!(
            names(Some("overhead")),
            vec!["client_overhead", "cache_client_overhead"]
        );
        assert!(names(Some("no_such_scenario")).is_empty());
    }
}
