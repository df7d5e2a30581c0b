//! What a user agent string says: browser, operating system and kind of device (woothee).

use serde::Serialize;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Device {
    /// e.g. "Chrome 120.0.0.0"; null when unknown.
    pub browser: Option<String>,
    /// e.g. "Windows 10", "Mac OSX 10.15.7", "iPhone 17.0".
    pub os: Option<String>,
    /// pc, smartphone, mobilephone, appliance, crawler or misc.
    pub device: Option<String>,
}

fn known(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s != "UNKNOWN").then(|| s.to_string())
}

/// Parses a user agent string; every part unknown for an empty or unrecognised one.
pub fn parse(user_agent: Option<&str>) -> Device {
    let Some(ua) = user_agent.filter(|u| !u.trim().is_empty()) else {
        return Device::default();
    };
    let Some(r) = woothee::parser::Parser::new().parse(ua) else {
        return Device::default();
    };
    let browser = known(r.name).map(|name| match known(r.version) {
        Some(v) => format!("{name} {v}"),
        None => name,
    });
    let os = known(r.os).map(|os| match known(&r.os_version) {
        // "Windows 10" already says its version ("NT 10.0" would only confuse).
        Some(v) if !os.chars().any(|c| c.is_ascii_digit()) => format!("{os} {v}"),
        _ => os,
    });
    Device {
        browser,
        os,
        device: known(r.category),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn chrome_on_windows() {
        let d = parse(Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"));
        assert_eq!(d.browser.as_deref(), Some("Chrome 120.0.0.0"));
        assert_eq!(d.os.as_deref(), Some("Windows 10"));
        assert_eq!(d.device.as_deref(), Some("pc"));
        assert_eq!(parse(None), Default::default());
    }
}
