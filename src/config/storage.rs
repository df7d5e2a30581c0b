//! `[storage]`: where attached files go, and the limits an upload must keep.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    Local,
    S3,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub kind: StorageKind,
    /// kind = "local": the directory files are kept in.
    pub path: String,
    /// kind = "s3": any S3-compatible store.
    pub s3_bucket: String,
    /// Empty: AWS's own endpoint for the region.
    pub s3_endpoint: String,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    /// Allow a plain http:// endpoint (a store on the same host or network).
    pub s3_allow_http: bool,
    /// Largest file accepted, in bytes.
    pub max_file_bytes: usize,
    /// Most files in one conversation.
    pub max_files_per_conversation: u64,
    /// Types accepted, as detected from the bytes: `image/png`, `application/pdf`, …
    pub allowed_types: Vec<String>,
    /// How long a signed download link works.
    pub link_ttl_secs: u64,
}

impl StorageConfig {
    /// What is wrong with these settings, as (key, message).
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if self.max_file_bytes == 0 {
            return Some(("storage.max_file_bytes", "must be above 0".into()));
        }
        if self.link_ttl_secs == 0 {
            return Some(("storage.link_ttl_secs", "must be above 0".into()));
        }
        match self.kind {
            StorageKind::Local if self.path.trim().is_empty() => {
                Some(("storage.path", "must name a directory".into()))
            }
            StorageKind::S3 if self.s3_bucket.trim().is_empty() => {
                Some(("storage.s3_bucket", "must be set when kind = \"s3\"".into()))
            }
            _ => None,
        }
    }
}
