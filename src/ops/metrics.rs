//! Request metrics kept in memory and written as Prometheus text. They are per
//! process by nature (each replica is scraped on its own), so losing them on restart
//! is fine. Counters are keyed by the matched route pattern, never the raw path, so
//! the number of series stays bounded whatever clients send.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// Pool figures sampled at scrape time.
pub struct PoolState {
    pub connections: u32,
    pub idle: u32,
    pub max_size: u32,
}

impl Metrics {
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        *inner.requests.entry((method.to_string(), route.to_string(), status)).or_default() += 1;
        let h = inner.latency.entry(route.to_string()).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum_seconds += secs;
    }

    pub fn render(&self, pool: &PoolState) -> String {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP budgetwatch_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE budgetwatch_http_requests_total counter\n");
        for ((method, route, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "budgetwatch_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(method),
                escape(route)
            );
        }
        out.push_str("# HELP budgetwatch_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE budgetwatch_http_request_duration_seconds histogram\n");
        for (route, h) in &inner.latency {
            let route = escape(route);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "budgetwatch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "budgetwatch_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ =
                writeln!(out, "budgetwatch_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum_seconds);
            let _ = writeln!(out, "budgetwatch_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        for (name, help, value) in [
            ("budgetwatch_db_pool_connections", "Open database connections.", pool.connections),
            ("budgetwatch_db_pool_idle_connections", "Idle database connections.", pool.idle),
            ("budgetwatch_db_pool_max_size", "Largest number of database connections.", pool.max_size),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_and_bucketed_by_latency() {
        let m = Metrics::default();
        m.record("GET", "/healthz", 200, Duration::from_millis(3));
        m.record("GET", "/healthz", 200, Duration::from_millis(30));
        let text = m.render(&PoolState { connections: 2, idle: 1, max_size: 10 });
        assert!(text.contains("budgetwatch_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"));
        assert!(text.contains("budgetwatch_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.005\"} 1"));
        assert!(text.contains("budgetwatch_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.05\"} 2"));
        assert!(text.contains("budgetwatch_db_pool_max_size 10"));
    }
}
