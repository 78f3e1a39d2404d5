//! The benchmark report: a table for people, JSON for tools.

use serde::Serialize;

/// One scenario's figure, compared with its baseline.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Scenario name, as `--only` matches it.
    pub name: String,
    /// The measured figure.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The baseline measured in the same run, where there is one.
    pub baseline: Option<f64>,
    /// What the baseline is.
    pub baseline_name: Option<String>,
    /// value / baseline.
    pub ratio: Option<f64>,
    /// The target, in words.
    pub target: String,
    /// Whether the target is met.
    pub meets: bool,
    /// How it was measured, counts, anything odd.
    pub note: String,
    /// Further figures judged with this one (a p99 beside a p50, a latency
    /// beside a rate); the scenario meets its targets only if they all do.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Judged>,
}

/// A further figure of a scenario, against its own baseline from the same run.
#[derive(Clone, Debug, Serialize)]
pub struct Judged {
    /// What it is (`p99`, `p50 vs floor`).
    pub name: String,
    /// The measured figure (the scenario's unit unless `unit` says otherwise).
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The baseline.
    pub baseline: f64,
    /// value / baseline.
    pub ratio: f64,
    /// The target, in words.
    pub target: String,
    /// Whether the target is met.
    pub meets: bool,
}

/// A measured figure, its baseline from the same run, and how they compare.
#[derive(Clone, Copy, Debug)]
pub struct Figures {
    /// The measured figure.
    pub value: f64,
    /// The baseline.
    pub baseline: f64,
    /// What is judged: `value / baseline`, or for paired rounds the median
    /// of the pairs' ratios (steadier than the ratio of the medians).
    pub ratio: f64,
}

impl Figures {
    /// `value` against `baseline`, judged on their ratio.
    pub fn of(value: f64, baseline: f64) -> Figures {
        Figures {
            value,
            baseline,
            ratio: value / baseline,
        }
    }
}

impl Scenario {
    /// A scenario whose ratio must be at least `min` (higher is better).
    pub fn ratio_at_least(
        name: &str,
        unit: &str,
        figures: Figures,
        baseline_name: &str,
        min: f64,
        note: String,
    ) -> Scenario {
        Scenario::judged(name, unit, figures, baseline_name, note)
            .target(format!("ratio >= {min}"), figures.ratio >= min)
    }

    /// A scenario whose ratio must be at most `max` (lower is better).
    pub fn ratio_at_most(
        name: &str,
        unit: &str,
        figures: Figures,
        baseline_name: &str,
        max: f64,
        note: String,
    ) -> Scenario {
        Scenario::judged(name, unit, figures, baseline_name, note)
            .target(format!("ratio <= {max}"), figures.ratio <= max)
    }

    /// A scenario without a baseline: `value` against an absolute `target`.
    pub fn absolute(
        name: &str,
        value: f64,
        unit: &str,
        target: &str,
        meets: bool,
        note: String,
    ) -> Scenario {
        Scenario {
            name: name.into(),
            value,
            unit: unit.into(),
            baseline: None,
            baseline_name: None,
            ratio: None,
            target: target.into(),
            meets,
            note,
            also: Vec::new(),
        }
    }

    /// A scenario that could not run, as a missed target.
    pub fn failed(name: &str, error: &anyhow::Error) -> Scenario {
        Scenario::absolute(
            name,
            f64::NAN,
            "",
            "runs",
            false,
            format!("did not run: {error:#}"),
        )
    }

    /// Also judges `figures` (in `unit`): their ratio must be at most `max`.
    pub fn and_ratio_at_most(
        mut self,
        name: &str,
        unit: &str,
        figures: Figures,
        max: f64,
    ) -> Scenario {
        let meets = figures.ratio <= max;
        self.also.push(Judged {
            name: name.into(),
            value: figures.value,
            unit: unit.into(),
            baseline: figures.baseline,
            ratio: figures.ratio,
            target: format!("ratio <= {max}"),
            meets,
        });
        self.meets &= meets;
        self
    }

    fn judged(
        name: &str,
        unit: &str,
        figures: Figures,
        baseline_name: &str,
        note: String,
    ) -> Scenario {
        Scenario {
            name: name.into(),
            value: figures.value,
            unit: unit.into(),
            baseline: Some(figures.baseline),
            baseline_name: Some(baseline_name.into()),
            ratio: Some(figures.ratio),
            target: String::new(),
            meets: false,
            note,
            also: Vec::new(),
        }
    }

    fn target(mut self, target: String, meets: bool) -> Scenario {
        self.target = target;
        self.meets = meets && self.also.iter().all(|j| j.meets);
        self
    }
}

/// All scenarios of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// In run order.
    pub scenarios: Vec<Scenario>,
}

fn num(v: f64) -> String {
    if !v.is_finite() {
        "-".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

impl Report {
    /// Whether every target is met.
    pub fn all_met(&self) -> bool {
        self.scenarios.iter().all(|s| s.meets)
    }

    /// JSON: `{"scenarios": [{"name", "value", "baseline", "ratio", "target", "meets", ...}]}`.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// An aligned table, notes below.
    pub fn table(&self) -> String {
        let mut s = format!(
            "{:<24} {:>12} {:<16} {:>12} {:>8} {:<16} {}\n",
            "scenario", "value", "unit", "baseline", "ratio", "target", "meets"
        );
        for sc in &self.scenarios {
            s += &format!(
                "{:<24} {:>12} {:<16} {:>12} {:>8} {:<16} {}\n",
                sc.name,
                num(sc.value),
                sc.unit,
                sc.baseline.map_or_else(|| "-".into(), num),
                sc.ratio.map_or_else(|| "-".into(), num),
                sc.target,
                if sc.meets { "yes" } else { "NO" }
            );
            for j in &sc.also {
                s += &format!(
                    "{:<24} {:>12} {:<16} {:>12} {:>8} {:<16} {}\n",
                    format!("  {}", j.name),
                    num(j.value),
                    j.unit,
                    num(j.baseline),
                    num(j.ratio),
                    j.target,
                    if j.meets { "yes" } else { "NO" }
                );
            }
        }
        s += "\n";
        for sc in &self.scenarios {
            s += &format!("{}: {}", sc.name, sc.note);
            if let Some(b) = &sc.baseline_name {
                s += &format!(" [baseline: {b}]");
            }
            s += "\n";
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{Figures, Report, Scenario};

    #[test]
    fn a_scenario_misses_its_target_when_a_further_figure_misses_its_own() {
        let s = Scenario::ratio_at_most(
            "latency",
            "µs",
            Figures::of(150.0, 100.0),
            "round trip",
            2.0,
            String::new(),
        )
        .and_ratio_at_most("p99", "µs", Figures::of(900.0, 100.0), 5.0);
        assert!(!s.meets, "p50 1.5× met, p99 9× missed: {s:?}");
        let report = Report { scenarios: vec![s] };
        let table = report.table();
        assert!(table.contains("  p99"), "{table}");
        assert!(report.json().contains("\"also\""), "{}", report.json());
        assert!(!report.all_met());
    }

    #[test]
    fn a_scenario_meets_its_target_when_every_figure_does() {
        let s = Scenario::ratio_at_least(
            "rate",
            "msg/s",
            Figures::of(95.0, 100.0),
            "floor",
            0.9,
            String::new(),
        )
        .and_ratio_at_most("p50", "µs", Figures::of(105.0, 100.0), 1.1);
        assert!(s.meets, "{s:?}");
    }
}
