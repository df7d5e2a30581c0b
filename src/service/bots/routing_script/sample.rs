//! The sample a version is tried on (`POST /api/admin/routing-scripts/{id}/test`).

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::sandbox::{AgentInfo, GroupInfo, VisitorInfo};

/// A visitor and the agents and groups to try a version with; without agents or groups, the
/// tenant's enabled agents and its groups.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    #[serde(default, deserialize_with = "object")]
    pub visitor: VisitorInfo,
    #[serde(default, deserialize_with = "objects")]
    pub agents: Option<Vec<AgentInfo>>,
    #[serde(default, deserialize_with = "objects")]
    pub groups: Option<Vec<GroupInfo>>,
}

/// serde reads a struct from a JSON array too (its fields in order); these take objects only.
fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
    let map = Map::deserialize(d)?;
    serde_json::from_value(Value::Object(map)).map_err(D::Error::custom)
}

fn objects<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    let Some(list) = Option::<Vec<Map<String, Value>>>::deserialize(d)? else {
        return Ok(None);
    };
    list.into_iter()
        .map(|m| serde_json::from_value(Value::Object(m)).map_err(D::Error::custom))
        .collect::<Result<Vec<T>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::Sample;

    #[test]
    fn only_objects_are_samples() {
        let ok: Sample = serde_json::from_str(
            r#"{"visitor": {"page": "/p"}, "agents": [{"id": "a", "name": "A"}], "groups": null}"#,
        )
        .unwrap_or_default();
        assert_eq!(ok.visitor.page.as_deref(), Some("/p"));
        assert_eq!(ok.agents.map(|a| a.len()), Some(1));
        for bad in [
            r#"{"visitor": [null, null]}"#,
            r#"{"agents": [["a", "A"]]}"#,
            r#"{"groups": [["g", "G"]]}"#,
            r#"{"visitor": {"pgae": "/typo"}}"#,
            r#"{"agents": [{"id": "a"}]}"#,
        ] {
            assert!(serde_json::from_str::<Sample>(bad).is_err(), "{bad}");
        }
    }
}
