//! What `init` and a first `serve` show: where to log in and what to paste into a site.

use serde_json::json;

use crate::config::Config;
use crate::store::{Tenant, User};

pub struct Welcome<'a> {
    pub config: &'a Config,
    pub tenant: &'a Tenant,
    pub owner: &'a User,
    /// Shown only when it was generated here and nobody else knows it.
    pub password: Option<&'a str>,
}

impl Welcome<'_> {
    fn login_url(&self) -> String {
        format!("{}/agent", self.config.public_url())
    }

    fn demo_url(&self) -> String {
        format!(
            "{}/demo?key={}",
            self.config.public_url(),
            self.tenant.site_key
        )
    }

    fn snippet(&self) -> String {
        format!(
            r#"<script src="{}/widget.js" data-site-key="{}" async></script>"#,
            self.config.public_url(),
            self.tenant.site_key
        )
    }

    pub fn text(&self) -> String {
        let mut out = format!(
            "uniqchat is ready\n  tenant:    {} (site key {})\n  login:     {}\n  account:   {} ({})\n",
            self.tenant.name,
            self.tenant.site_key,
            self.login_url(),
            self.owner.email,
            self.owner.role,
        );
        if let Some(password) = self.password {
            out.push_str(&format!(
                "  password:  {password}   (shown once: change it after logging in)\n"
            ));
        }
        out.push_str(&format!("  widget:    {}\n", self.snippet()));
        out.push_str(&format!(
            "  demo:      {}   (a sample shop page with the widget)\n",
            self.demo_url()
        ));
        out
    }

    pub fn json(&self) -> serde_json::Value {
        json!({
            "tenant": { "id": self.tenant.id, "name": self.tenant.name, "site_key": self.tenant.site_key },
            "account": { "id": self.owner.id, "email": self.owner.email, "role": self.owner.role },
            "login_url": self.login_url(),
            "widget_snippet": self.snippet(),
            "demo_url": self.demo_url(),
        })
    }
}

/// What a later `serve` shows (no account was created): where the pages are.
pub fn running(config: &Config) -> String {
    let url = config.public_url();
    format!(
        "uniqchat is running\n  login:     {url}/agent\n  admin:     {url}/admin\n  demo:      {url}/demo   (a sample shop page with the widget)\n"
    )
}
