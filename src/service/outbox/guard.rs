//! The SSRF guard: a webhook reaches public addresses only, unless the server allows private
//! ones and the endpoint asks for them. Checked when an endpoint is saved and again at every
//! call, by the resolver the HTTP client connects through (so a DNS answer that changes between
//! the check and the connection cannot slip past: the client connects to the checked address).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// Whether `ip` is an ordinary public unicast address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // shared address space (carrier-grade NAT), 100.64/10
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0/24
        || (a == 192 && b == 0 && c == 0)
        // benchmarking, 198.18/15
        || (a == 198 && (b == 18 || b == 19))
        // reserved, 240/4
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        // unique local fc00::/7
        || (first & 0xfe00) == 0xfc00
        // link-local fe80::/10
        || (first & 0xffc0) == 0xfe80
        // site-local (deprecated) fec0::/10
        || (first & 0xffc0) == 0xfec0
        // documentation 2001:db8::/32
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // IPv4-compatible (deprecated) ::/96 and NAT64 64:ff9b::/96 carry v4 addresses
        || (ip.segments()[..6].iter().all(|s| *s == 0))
        || (first == 0x0064 && ip.segments()[1] == 0xff9b))
}

/// How long a host name may take to resolve when an endpoint is checked.
const LOOKUP_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Why a URL cannot be a webhook target.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    Invalid(&'static str),
    Private,
    Unresolvable,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Invalid(why) => f.write_str(why),
            Refusal::Private => f.write_str(
                "resolves to a loopback, private, link-local or other non-public address",
            ),
            Refusal::Unresolvable => f.write_str("its host name does not resolve"),
        }
    }
}

/// Parses and checks the form of a webhook URL: http or https, a host, no credentials.
pub fn parse(url: &str) -> Result<Url, Refusal> {
    if url.len() > 2048 {
        return Err(Refusal::Invalid("must be at most 2048 characters"));
    }
    let parsed = Url::parse(url).map_err(|_| Refusal::Invalid("is not an absolute URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Refusal::Invalid("must start with http:// or https://"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Refusal::Invalid("has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Refusal::Invalid("must not hold a user name or password"));
    }
    Ok(parsed)
}

/// The addresses `url` reaches, every one of them allowed; refused otherwise.
pub async fn check(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>, Refusal> {
    let port = url.port_or_known_default().unwrap_or(80);
    let host = url.host_str().ok_or(Refusal::Invalid("has no host"))?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = match bare.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::time::timeout(LOOKUP_LIMIT, tokio::net::lookup_host((bare, port)))
            .await
            .map_err(|_| Refusal::Unresolvable)?
            .map_err(|_| Refusal::Unresolvable)?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refusal::Unresolvable);
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(Refusal::Private);
    }
    Ok(addrs)
}

/// The HTTP client's resolver: it hands out only the addresses the guard allows.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed: Vec<SocketAddr> = found
                .filter(|a| allow_private || is_public(a.ip()))
                .collect();
            if allowed.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> =
                    format!("{host} {}", Refusal::Private).into();
                return Err(err);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// A client that connects only to allowed addresses, follows no redirect and gives up after
/// `timeout`.
pub fn client(
    allow_private: bool,
    timeout: std::time::Duration,
) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .dns_resolver(Arc::new(GuardedResolver { allow_private }))
        .user_agent(concat!("uniqchat-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn refuses_non_public_addresses() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
        ] {
            assert!(!is_public(ip(bad)), "{bad} counted as public");
        }
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(good)), "{good} counted as non-public");
        }
    }

    #[test]
    fn parses_only_http_urls_with_a_host() {
        assert!(parse("https://example.com/hook").is_ok());
        assert!(parse("ftp://example.com/").is_err());
        assert!(parse("file:///etc/passwd").is_err());
        assert!(parse("not a url").is_err());
        assert!(parse("http://user:pw@example.com/").is_err());
    }

    #[tokio::test]
    async fn literal_private_addresses_are_refused_unless_allowed() {
        let url = parse("http://127.0.0.1:9/x").unwrap();
        assert_eq!(check(&url, false).await, Err(Refusal::Private));
        assert!(check(&url, true).await.is_ok());
        let url = parse("http://[::ffff:192.168.0.1]/x").unwrap();
        assert_eq!(check(&url, false).await, Err(Refusal::Private));
    }
}
