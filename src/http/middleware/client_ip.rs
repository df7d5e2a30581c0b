use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, Request};

/// The client's address: the peer, or the first X-Forwarded-For hop when behind a trusted proxy.
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
            .and_then(|v| v.split(',').next())
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
