use std::collections::BTreeMap;

use serde_json::json;

use super::AdminService;
use crate::cluster::{Notice, WidgetLook};
use crate::service::authz::{Actor, Permission};
use crate::service::widget_text::{self, WidgetTexts, WidgetTextsPatch};
use crate::service::{archive, business_hours, validate, Checks, ServiceResult};
use crate::store::{ArchiveSettings, RoutingStrategy, Store, TenantSettings};

const MESSAGE_MAX: usize = 1000;
const ORIGINS_MAX: usize = 50;
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Opening hours per weekday as `[["09:00", "17:00"], ...]`; no entry at all means always open.
pub type BusinessHours = BTreeMap<String, Vec<[String; 2]>>;

/// The tenant's settings as the API shows them.
pub struct SettingsView {
    pub name: String,
    pub welcome_message: String,
    pub offline_message: String,
    pub business_hours: BusinessHours,
    pub timezone: String,
    pub routing_strategy: RoutingStrategy,
    pub widget_color: String,
    pub widget_title: String,
    pub widget_position: String,
    pub allowed_origins: Vec<String>,
    /// Typing preview, pre-chat form and texts per language (`service::widget_text`).
    pub widget: WidgetTexts,
    /// When closed conversations are archived and deleted (`service::archive`).
    pub archive: ArchiveSettings,
}

/// A partial update: `None` leaves a setting as it is.
#[derive(Default)]
pub struct SettingsPatch {
    pub name: Option<String>,
    pub welcome_message: Option<String>,
    pub offline_message: Option<String>,
    pub business_hours: Option<BusinessHours>,
    pub timezone: Option<String>,
    pub routing_strategy: Option<RoutingStrategy>,
    pub widget_color: Option<String>,
    pub widget_title: Option<String>,
    pub widget_position: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    pub widget: WidgetTextsPatch,
    pub archive_after_days: Option<u32>,
    pub delete_after_days: Option<u32>,
}

impl AdminService {
    pub async fn get_settings(&self, actor: &Actor) -> ServiceResult<SettingsView> {
        actor.require(Permission::SettingsRead)?;
        settings_view(&self.store, &actor.tenant_id).await
    }

    pub async fn update_settings(
        &self,
        actor: &Actor,
        patch: SettingsPatch,
    ) -> ServiceResult<SettingsView> {
        actor.require(Permission::SettingsWrite)?;
        let mut s: TenantSettings = self.store.get_settings(&actor.tenant_id).await?;
        let mut checks = Checks::default();
        let mut changed = Vec::new();

        let name = match &patch.name {
            Some(n) => checks.take(validate::name("name", n, 200)),
            None => None,
        };
        for (field, value, target) in [
            (
                "welcome_message",
                &patch.welcome_message,
                &mut s.welcome_message,
            ),
            (
                "offline_message",
                &patch.offline_message,
                &mut s.offline_message,
            ),
        ] {
            if let Some(v) = value {
                if v.chars().count() > MESSAGE_MAX {
                    checks.fail(field, format!("must be at most {MESSAGE_MAX} characters"));
                }
                *target = v.trim().to_string();
                changed.push(field);
            }
        }
        if let Some(hours) = &patch.business_hours {
            let hours = check_hours(&mut checks, hours);
            s.business_hours = serde_json::to_string(&hours).unwrap_or_else(|_| "{}".into());
            changed.push("business_hours");
        }
        if let Some(tz) = &patch.timezone {
            if tz.parse::<chrono_tz::Tz>().is_err() {
                checks.fail(
                    "timezone",
                    format!("'{tz}' is not an IANA time zone such as Europe/Berlin"),
                );
            }
            s.timezone = tz.clone();
            changed.push("timezone");
        }
        if let Some(strategy) = patch.routing_strategy {
            s.routing_strategy = strategy;
            changed.push("routing_strategy");
        }
        if let Some(color) = &patch.widget_color {
            let ok = color.len() == 7
                && color.starts_with('#')
                && color[1..].chars().all(|c| c.is_ascii_hexdigit());
            if !ok {
                checks.fail("widget_color", "must be a colour like #2563eb");
            }
            s.widget_color = color.to_lowercase();
            changed.push("widget_color");
        }
        if let Some(title) = &patch.widget_title {
            if let Some(t) = checks.take(validate::name("widget_title", title, 100)) {
                s.widget_title = t;
            }
            changed.push("widget_title");
        }
        if let Some(pos) = &patch.widget_position {
            if pos != "left" && pos != "right" {
                checks.fail("widget_position", "must be left or right");
            }
            s.widget_position = pos.clone();
            changed.push("widget_position");
        }
        if let Some(origins) = &patch.allowed_origins {
            if origins.len() > ORIGINS_MAX {
                checks.fail("allowed_origins", format!("at most {ORIGINS_MAX} origins"));
            }
            let normalised: Vec<String> = origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_lowercase())
                .collect();
            for o in &normalised {
                if !is_origin(o) {
                    checks.fail(
                        "allowed_origins",
                        format!("'{o}' is not an origin like https://shop.example.com"),
                    );
                }
            }
            s.allowed_origins = serde_json::to_string(&normalised).unwrap_or_else(|_| "[]".into());
            changed.push("allowed_origins");
        }
        let widget_changed = patch.widget.changed();
        let widget = if patch.widget.is_empty() {
            None
        } else {
            let current = widget_text::load(&self.store, &actor.tenant_id).await?;
            Some(widget_text::apply(&mut checks, current, patch.widget))
        };
        let archive = archive::settings::apply(
            &mut checks,
            self.store.get_archive_settings(&actor.tenant_id).await?,
            patch.archive_after_days,
            patch.delete_after_days,
        );
        checks.finish()?;

        if let Some(archive) = archive {
            self.store
                .save_archive_settings(&actor.tenant_id, archive)
                .await?;
            changed.extend(
                [
                    ("archive_after_days", patch.archive_after_days),
                    ("delete_after_days", patch.delete_after_days),
                ]
                .into_iter()
                .filter_map(|(field, v)| v.map(|_| field)),
            );
        }
        if let Some(widget) = &widget {
            widget_text::save(&self.store, &actor.tenant_id, widget).await?;
            changed.extend(widget_changed);
        }
        if let Some(name) = &name {
            self.store.rename_tenant(&actor.tenant_id, name).await?;
            changed.push("name");
        }
        self.store.save_settings(s).await?;
        self.audit(
            actor,
            "settings.update",
            "tenant",
            Some(&actor.tenant_id),
            json!({ "changed": changed }),
        )
        .await?;
        let view = settings_view(&self.store, &actor.tenant_id).await?;
        // Open widgets take the new look and texts at once.
        self.bus.notice(Notice::Widget {
            tenant_id: actor.tenant_id.clone(),
            look: WidgetLook {
                name: view.name.clone(),
                widget_title: view.widget_title.clone(),
                widget_color: view.widget_color.clone(),
                widget_position: view.widget_position.clone(),
                welcome_message: view.welcome_message.clone(),
                offline_message: view.offline_message.clone(),
            },
        });
        Ok(view)
    }
}

/// The tenant's settings with its name, as the admin API and the widget see them.
pub(crate) async fn settings_view(store: &Store, tenant_id: &str) -> ServiceResult<SettingsView> {
    let tenant = store.get_tenant(tenant_id).await?;
    let s = store.get_settings(tenant_id).await?;
    Ok(SettingsView {
        name: tenant.name,
        welcome_message: s.welcome_message,
        offline_message: s.offline_message,
        business_hours: serde_json::from_str(&s.business_hours).unwrap_or_default(),
        timezone: s.timezone,
        routing_strategy: s.routing_strategy,
        widget_color: s.widget_color,
        widget_title: s.widget_title,
        widget_position: s.widget_position,
        allowed_origins: serde_json::from_str(&s.allowed_origins).unwrap_or_default(),
        widget: widget_text::load(store, tenant_id).await?,
        archive: store.get_archive_settings(tenant_id).await?,
    })
}

/// Checks the ranges and spells their times the one stored way (`9` → `09:00`); errors name
/// the day in words.
fn check_hours(checks: &mut Checks, hours: &BusinessHours) -> BusinessHours {
    let mut clean = BusinessHours::new();
    for (day, ranges) in hours {
        if !DAYS.contains(&day.as_str()) {
            checks.fail(
                "business_hours",
                format!("'{day}' is not one of {}", DAYS.join(", ")),
            );
            continue;
        }
        let name = business_hours::day_name(day);
        let mut kept = Vec::new();
        for [from, to] in ranges {
            let (a, b) = (
                business_hours::parse_time(from),
                business_hours::parse_time(to),
            );
            let spelt = (
                business_hours::normalise_time(from),
                business_hours::normalise_time(to),
            );
            match (a, b, spelt) {
                (Some(a), Some(b), (Some(f), Some(t))) if a < b => kept.push([f, t]),
                _ => checks.fail(
                    "business_hours",
                    format!(
                        "{name}: '{from}'–'{to}' must be two times like 09:00 or 9, the first earlier"
                    ),
                ),
            }
        }
        clean.insert(day.clone(), kept);
    }
    clean
}

/// `scheme://host[:port]` with http or https and nothing after the host.
fn is_origin(o: &str) -> bool {
    let Some((scheme, rest)) = o.split_once("://") else {
        return false;
    };
    let host = rest.split(':').next().unwrap_or("");
    let port_ok = match rest.split_once(':') {
        Some((_, port)) => port.parse::<u16>().is_ok(),
        None => true,
    };
    (scheme == "http" || scheme == "https")
        && !host.is_empty()
        && !rest.contains('/')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for ok in [
            "https://shop.example.com",
            "http://localhost:8080",
            "https://a-b.io",
        ] {
            assert!(is_origin(ok), "{ok}");
        }
        for bad in [
            "shop.example.com",
            "ftp://x.io",
            "https://x.io/path",
            "https://",
            "https://x.io:99999",
            "https://a b.io",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }

    #[test]
    fn hours() {
        let mut checks = Checks::default();
        let good: BusinessHours = [(
            "mon".to_string(),
            vec![["09:00".to_string(), "17:30".to_string()]],
        )]
        .into();
        assert_eq!(check_hours(&mut checks, &good), good);
        assert!(checks.finish().is_ok());
        let mut checks = Checks::default();
        let bad: BusinessHours = [
            ("funday".to_string(), vec![]),
            (
                "tue".to_string(),
                vec![["18:00".to_string(), "09:00".to_string()]],
            ),
            (
                "wed".to_string(),
                vec![["9am".to_string(), "5pm".to_string()]],
            ),
        ]
        .into();
        let _ = check_hours(&mut checks, &bad);
        let Err(crate::service::ServiceError::Invalid(fields)) = checks.finish() else {
            panic!("expected field errors");
        };
        assert_eq!(fields.len(), 3);
    }
}
