//! `[geoip]`: where the country and city of a visitor's address come from.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GeoipConfig {
    /// Path to a GeoIP2/GeoLite2 City (or Country) database in MaxMind's `.mmdb` format.
    /// Empty: no location is shown.
    pub database: String,
}
