//! Rendered charts and meeting packs, kept in memory under the data version
//! (`data_version`, bumped by a trigger in every transaction that changes what
//! they show): a repeated request is answered from here without drawing, and
//! the first request after a report, plan or adjustment changes draws afresh.
//! Bounded: past 64 MiB the least recently used goes. Each replica
//! keeps its own; correctness never depends on it (the version is in the DB).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// The version of the data now committed.
pub fn data_version(conn: &mut PgConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = BigInt)]
        version: i64,
    }
    diesel::sql_query("SELECT version FROM data_version").get_result::<V>(conn).map(|v| v.version)
}

struct Entry {
    version: i64,
    bytes: Arc<Vec<u8>>,
    used: u64,
}

pub struct RenderCache {
    entries: Mutex<HashMap<String, Entry>>,
    clock: AtomicU64,
    /// At most this many bytes are kept (a PDF pack is a few hundred KB).
    max_bytes: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Default for RenderCache {
    fn default() -> Self {
        RenderCache::new(64 * 1024 * 1024)
    }
}

impl RenderCache {
    pub fn new(max_bytes: usize) -> RenderCache {
        RenderCache {
            entries: Mutex::new(HashMap::new()),
            clock: AtomicU64::new(0),
            max_bytes: max_bytes.max(1),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn tick(&self) -> u64 {
        self.clock.fetch_add(1, Ordering::Relaxed)
    }

    /// The bytes rendered for `key` at `version`, if kept.
    pub fn get(&self, key: &str, version: i64) -> Option<Arc<Vec<u8>>> {
        let now = self.tick();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get_mut(key) {
            Some(e) if e.version == version => {
                e.used = now;
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(e.bytes.clone())
            }
            _ => {
                self.misses.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Keeps `bytes` for `key` at `version`, letting the least recently used
    /// go until everything fits; something larger than the whole cache is not kept.
    pub fn put(&self, key: String, version: i64, bytes: Arc<Vec<u8>>) {
        if bytes.len() > self.max_bytes {
            return;
        }
        let now = self.tick();
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        // A newer version never gives way to an older one rendered concurrently.
        if entries.get(&key).is_some_and(|e| e.version > version) {
            return;
        }
        entries.remove(&key);
        let mut total: usize = entries.values().map(|e| e.bytes.len()).sum();
        while total + bytes.len() > self.max_bytes {
            let Some(oldest) = entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone()) else { break };
            total -= entries.remove(&oldest).map(|e| e.bytes.len()).unwrap_or(0);
        }
        entries.insert(key, Entry { version, bytes, used: now });
    }

    /// (hits, misses) since start, for /metrics.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }
}

/// What a cached render answers: the bytes (from the cache or just drawn), or
/// "not modified" when the client already holds this version.
pub enum Rendered {
    NotModified { etag: String },
    Bytes { bytes: Arc<Vec<u8>>, etag: String, hit: bool },
}

/// The bytes for `key` at the data version now committed: from the cache, or
/// drawn by `render` and kept. `salt` joins the version in the ETag for what
/// else the bytes depend on (the date a pack is made, say). Access checks come
/// before this call: the cache knows nothing of who asks.
pub fn render_cached(
    conn: &mut PgConnection,
    cache: &RenderCache,
    key: &str,
    salt: &str,
    if_none_match: Option<&str>,
    render: impl FnOnce(&mut PgConnection) -> Result<Vec<u8>, crate::error::AppError>,
) -> Result<Rendered, crate::error::AppError> {
    let version = data_version(conn)?;
    let etag = format!("\"v{version}{}{salt}\"", if salt.is_empty() { "" } else { "-" });
    if if_none_match.is_some_and(|h| h.split(',').any(|t| t.trim() == etag || t.trim() == "*")) {
        return Ok(Rendered::NotModified { etag });
    }
    let full_key = format!("{key}|{salt}");
    if let Some(bytes) = cache.get(&full_key, version) {
        return Ok(Rendered::Bytes { bytes, etag, hit: true });
    }
    let bytes = Arc::new(render(conn)?);
    cache.put(full_key, version, bytes.clone());
    Ok(Rendered::Bytes { bytes, etag, hit: false })
}

impl Rendered {
    /// The answer: 304, or 200 with the bytes; ETag, `X-Cache: hit|miss`, and
    /// `Cache-Control: private, no-cache` (revalidate each time: cheap).
    pub fn respond(self, content_type: &str, disposition: Option<String>) -> actix_web::HttpResponse {
        use actix_web::HttpResponse;
        match self {
            Rendered::NotModified { etag } => HttpResponse::NotModified()
                .insert_header(("ETag", etag))
                .insert_header(("Cache-Control", "private, no-cache"))
                .finish(),
            Rendered::Bytes { bytes, etag, hit } => {
                let mut res = HttpResponse::Ok();
                res.content_type(content_type)
                    .insert_header(("ETag", etag))
                    .insert_header(("Cache-Control", "private, no-cache"))
                    .insert_header(("X-Cache", if hit { "hit" } else { "miss" }));
                if let Some(d) = disposition {
                    res.insert_header(("Content-Disposition", d));
                }
                res.body(bytes.as_ref().clone())
            }
        }
    }
}

/// The request's If-None-Match, if any.
pub fn if_none_match(req: &actix_web::HttpRequest) -> Option<String> {
    req.headers().get("if-none-match").and_then(|v| v.to_str().ok()).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_serves_only_its_version_and_the_least_recently_used_goes_first() {
        // Room for two entries of one byte.
        let c = RenderCache::new(2);
        c.put("a".into(), 1, Arc::new(vec![1]));
        assert_eq!(c.get("a", 1).as_deref(), Some(&vec![1]));
        assert!(c.get("a", 2).is_none(), "a new data version misses");
        c.put("b".into(), 1, Arc::new(vec![2]));
        c.get("a", 1);
        c.put("c".into(), 1, Arc::new(vec![3]));
        assert!(c.get("b", 1).is_none(), "b was least recently used");
        assert!(c.get("a", 1).is_some() && c.get("c", 1).is_some());
        c.put("a".into(), 3, Arc::new(vec![4]));
        c.put("a".into(), 2, Arc::new(vec![5]));
        assert_eq!(c.get("a", 3).as_deref(), Some(&vec![4]), "an older render does not replace a newer one");
        assert_eq!(c.counts(), (5, 2));
    }

    #[test]
    fn the_cache_keeps_to_its_size_in_bytes() {
        let c = RenderCache::new(10);
        c.put("a".into(), 1, Arc::new(vec![0; 4]));
        c.put("b".into(), 1, Arc::new(vec![0; 4]));
        c.put("c".into(), 1, Arc::new(vec![0; 4]));
        assert!(c.get("a", 1).is_none(), "a went to make room");
        assert!(c.get("b", 1).is_some() && c.get("c", 1).is_some());
        c.put("big".into(), 1, Arc::new(vec![0; 11]));
        assert!(c.get("big", 1).is_none(), "larger than the whole cache: not kept");
        assert!(c.get("b", 1).is_some(), "and nothing was evicted for it");
        c.put("b".into(), 2, Arc::new(vec![0; 6]));
        assert!(c.get("b", 2).is_some() && c.get("c", 1).is_some(), "a replaced entry frees its own room");
    }
}
