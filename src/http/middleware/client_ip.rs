use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, Request};

/// The client's address: the peer, or, behind a trusted proxy, the last `X-Forwarded-For` hop:
/// the address the proxy itself saw. Earlier hops come from the client and prove nothing (a
/// client can send any `X-Forwarded-For`; the proxy appends the real address to it).
pub fn client_ip<B>(req: &Request<B>, trust_proxy: bool) -> IpAddr {
    resolve(req.headers(), req.extensions(), trust_proxy)
}

pub fn from_parts(parts: &axum::http::request::Parts, trust_proxy: bool) -> IpAddr {
    resolve(&parts.headers, &parts.extensions, trust_proxy)
}

fn resolve(headers: &HeaderMap, extensions: &Extensions, trust_proxy: bool) -> IpAddr {
    if trust_proxy {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}
