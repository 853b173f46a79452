//! The monitoring shipped in `deploy/` reads what a node exports (issue 15): every `tanba_*`
//! series named by the Prometheus alert rules and the Grafana dashboard exists at a running
//! server's `/metrics`; the dashboard parses as JSON, and each rule has its expression.

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

/// The repository's `deploy/` directory.
fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// The `tanba_*` metric names in `text`, a histogram's or summary's `_sum`, `_count` and
/// `_bucket` series read as the metric itself.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (start, _) in text.match_indices("tanba_") {
        let before = text[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = (text[start..].chars())
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        // A pattern such as `tanba_*` in a comment names no metric.
        if name.ends_with('_') {
            continue;
        }
        let base = ["_sum", "_count", "_bucket"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(&name);
        names.insert(base.to_owned());
    }
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn r_is_22_every_series_the_alerts_and_the_dashboard_read_exists_at_metrics() {
    let rules = std::fs::read_to_string(deploy().join("prometheus/tanba-rules.yml")).unwrap();
    let dashboard = std::fs::read_to_string(deploy().join("grafana/tanba-dashboard.json")).unwrap();
    let dashboard_json: serde_json::Value = serde_json::from_str(&dashboard).unwrap();
    let panels = dashboard_json["panels"].as_array().unwrap();
    assert!(panels.len() >= 10, "a dashboard of the node's signs");
    // Each rule an alert with an expression (no YAML reader here: the file's own shape).
    let lines = |prefix: &str| {
        (rules.lines())
            .filter(|line| line.trim_start().starts_with(prefix))
            .count()
    };
    assert!(lines("- alert: ") >= 8, "{rules}");
    assert_eq!(
        lines("- alert: "),
        lines("expr: "),
        "an expression per alert"
    );
    let mut wanted = metric_names(&rules);
    wanted.extend(metric_names(&dashboard));
    assert!(wanted.len() >= 15, "{wanted:?}");

    let fixture = support::start(|_| {}).await;
    // One call, so that the calls' own series exist.
    fixture.operator().await;
    let exported = reqwest::get(format!("{}/metrics", fixture.http()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let present: BTreeSet<String> = (exported.lines())
        .filter(|line| !line.starts_with('#'))
        .flat_map(metric_names)
        .collect();
    let missing: Vec<_> = wanted.difference(&present).collect();
    assert!(missing.is_empty(), "not at /metrics: {missing:?}");
}
