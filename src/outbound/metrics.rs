//! What Tandem reports to Prometheus (`/metrics`, text format): requests by route and status, refused requests by
//! reason, jobs by kind and outcome, the queue's depth and the age of its oldest due job, Web API calls by method and
//! result, retries and rate-limit pauses. Counters only count; no label carries a name, an ID or any text a person
//! wrote.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, String)>;

/// Every metric Tandem keeps, registered once per running app.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    http_requests: Family<Labels, Counter>,
    refused: Family<Labels, Counter>,
    jobs: Family<Labels, Counter>,
    queue_depth: Gauge,
    oldest_due_age: Gauge,
    slack_calls: Family<Labels, Counter>,
    slack_retries: Family<Labels, Counter>,
    rate_limit_pauses: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("tandem");
        let m = Metrics {
            http_requests: Family::default(),
            refused: Family::default(),
            jobs: Family::default(),
            queue_depth: Gauge::default(),
            oldest_due_age: Gauge::default(),
            slack_calls: Family::default(),
            slack_retries: Family::default(),
            rate_limit_pauses: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            m.http_requests.clone(),
        );
        registry.register(
            "refused_requests",
            "Requests refused before any effect (signature, size, content type, malformed), by reason",
            m.refused.clone(),
        );
        registry.register(
            "jobs",
            "Jobs run, by kind and outcome (done, retry, failed, dropped, deferred)",
            m.jobs.clone(),
        );
        registry.register(
            "job_queue_depth",
            "Jobs due now and waiting to run",
            m.queue_depth.clone(),
        );
        registry.register(
            "job_oldest_due_age_seconds",
            "How long the oldest due job has waited (0 when none is due)",
            m.oldest_due_age.clone(),
        );
        registry.register(
            "slack_api_calls",
            "Slack Web API calls, by method and result (ok, a Slack error code, http_5xx, rate_limited, timeout, transport)",
            m.slack_calls.clone(),
        );
        registry.register(
            "slack_api_retries",
            "Web API calls retried after a 5xx or a dropped connection, by method",
            m.slack_retries.clone(),
        );
        registry.register(
            "slack_api_rate_limit_pauses",
            "429s that paused a Web API method for every caller, by method",
            m.rate_limit_pauses.clone(),
        );
        Metrics { registry, ..m }
    }
}

impl Metrics {
    pub fn http_request(&self, route: &str, status: u16) {
        self.http_requests
            .get_or_create(&vec![
                ("route", route.to_string()),
                ("status", status.to_string()),
            ])
            .inc();
    }
    pub fn refused(&self, reason: &str) {
        self.refused
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
    }
    pub fn job(&self, kind: &str, outcome: &str) {
        self.jobs
            .get_or_create(&vec![
                ("kind", kind.to_string()),
                ("outcome", outcome.to_string()),
            ])
            .inc();
    }
    pub fn slack_call(&self, method: &str, result: &str) {
        self.slack_calls
            .get_or_create(&vec![
                ("method", method.to_string()),
                ("result", result.to_string()),
            ])
            .inc();
    }
    pub fn slack_retry(&self, method: &str) {
        self.slack_retries
            .get_or_create(&vec![("method", method.to_string())])
            .inc();
    }
    pub fn rate_limit_pause(&self, method: &str) {
        self.rate_limit_pauses
            .get_or_create(&vec![("method", method.to_string())])
            .inc();
    }

    /// The text exposition, with the queue gauges set from what the store says now.
    pub fn render(&self, queue_depth: i64, oldest_due_age_secs: i64) -> String {
        self.queue_depth.set(queue_depth);
        self.oldest_due_age.set(oldest_due_age_secs.max(0));
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_gauges_in_the_text_format() {
        let m = Metrics::default();
        m.http_request("/slack/commands", 200);
        m.http_request("/slack/commands", 200);
        m.job("checkin", "done");
        m.slack_call("chat.postMessage", "rate_limited");
        m.rate_limit_pause("chat.postMessage");
        let text = m.render(3, 42);
        assert!(
            text.contains(r#"tandem_http_requests_total{route="/slack/commands",status="200"} 2"#),
            "{text}"
        );
        assert!(text.contains(r#"tandem_jobs_total{kind="checkin",outcome="done"} 1"#));
        assert!(text.contains("tandem_job_queue_depth 3"));
        assert!(text.contains("tandem_job_oldest_due_age_seconds 42"));
        assert!(
            text.contains(
                r#"tandem_slack_api_rate_limit_pauses_total{method="chat.postMessage"} 1"#
            )
        );
        assert!(text.ends_with("# EOF\n"));
    }
}
