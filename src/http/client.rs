//! The client's address, as far as it can be known: the peer's, unless the peer
//! is a proxy the configuration trusts, in which case `X-Forwarded-For` is read
//! from the right, skipping trusted proxies, and the first other address is the
//! client. A client can put anything in the header; only what trusted proxies
//! appended is believed.

use std::net::IpAddr;

use actix_web::HttpRequest;

use crate::config::IpNet;

pub fn client_addr(req: &HttpRequest, trusted: &[IpNet]) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else { return "unknown".into() };
    client_ip(peer, forwarded_for(req).as_deref(), trusted).to_string()
}

fn forwarded_for(req: &HttpRequest) -> Option<String> {
    let values: Vec<&str> = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect();
    (!values.is_empty()).then(|| values.join(","))
}

/// The client behind `peer`, given the forwarded chain (leftmost first).
pub fn client_ip(peer: IpAddr, forwarded: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for hop in forwarded.unwrap_or("").rsplit(',').map(str::trim).filter(|h| !h.is_empty()) {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(ip) {
                    break;
                }
            }
            // Garbage in the chain: stop at the last address a trusted proxy gave.
            Err(_) => break,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_counts_only_behind_a_trusted_proxy() {
        let trusted = ["10.0.0.0/8".parse::<IpNet>().unwrap()];
        // Straight from the Internet: the header is the client's own claim.
        assert_eq!(client_ip(ip("203.0.113.9"), Some("198.51.100.1"), &trusted), ip("203.0.113.9"));
        // Through our proxy: the address it appended.
        assert_eq!(client_ip(ip("10.1.1.1"), Some("198.51.100.1"), &trusted), ip("198.51.100.1"));
        // A forged left part is skipped: the rightmost untrusted hop is the client.
        assert_eq!(client_ip(ip("10.1.1.1"), Some("1.2.3.4, 198.51.100.1, 10.2.2.2"), &trusted), ip("198.51.100.1"));
        assert_eq!(client_ip(ip("10.1.1.1"), Some("nonsense, 198.51.100.1"), &trusted), ip("198.51.100.1"));
        assert_eq!(client_ip(ip("10.1.1.1"), Some("198.51.100.1, nonsense"), &trusted), ip("10.1.1.1"));
        assert_eq!(client_ip(ip("10.1.1.1"), None, &trusted), ip("10.1.1.1"));
        assert_eq!(client_ip(ip("10.1.1.1"), Some("198.51.100.1"), &[]), ip("10.1.1.1"));
    }
}
