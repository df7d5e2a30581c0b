//! Where file bytes live: `object_store` behind one small interface. A local directory by
//! default, any S3-compatible store in production. Keys are made by the service
//! (`{tenant}/{conversation}/{id}`), never taken from a file's name.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};

use crate::config::{StorageConfig, StorageKind};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no such object")]
    NotFound,
    #[error("storage: {0}")]
    Backend(String),
}

impl From<object_store::Error> for StorageError {
    fn from(e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => StorageError::NotFound,
            other => StorageError::Backend(other.to_string()),
        }
    }
}

/// The object store files are kept in.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<dyn ObjectStore>,
}

impl Storage {
    /// The store the settings name; a local directory is created when missing.
    pub fn from_config(config: &StorageConfig) -> Result<Storage, StorageError> {
        let inner: Arc<dyn ObjectStore> = match config.kind {
            StorageKind::Local => {
                std::fs::create_dir_all(&config.path).map_err(|e| {
                    StorageError::Backend(format!("cannot create {}: {e}", config.path))
                })?;
                Arc::new(LocalFileSystem::new_with_prefix(&config.path)?)
            }
            StorageKind::S3 => {
                let mut b = AmazonS3Builder::new()
                    .with_bucket_name(&config.s3_bucket)
                    .with_region(&config.s3_region)
                    .with_allow_http(config.s3_allow_http);
                if !config.s3_endpoint.is_empty() {
                    b = b.with_endpoint(&config.s3_endpoint);
                }
                if !config.s3_access_key_id.is_empty() {
                    b = b
                        .with_access_key_id(&config.s3_access_key_id)
                        .with_secret_access_key(&config.s3_secret_access_key);
                }
                Arc::new(b.build()?)
            }
        };
        Ok(Storage { inner })
    }

    /// Any store, e.g. `object_store::memory::InMemory` in a unit test.
    pub fn new(inner: Arc<dyn ObjectStore>) -> Storage {
        Storage { inner }
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), StorageError> {
        self.inner
            .put(&Path::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, StorageError> {
        Ok(self.inner.get(&Path::from(key)).await?.bytes().await?)
    }

    /// Removes an object; one that is already gone is fine.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every object under `prefix` (whole path segments: `t1` is not a prefix of
    /// `t10/…`); returns how many went.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<u64, StorageError> {
        let prefix = Path::from(prefix);
        let keys: Vec<Path> = self
            .inner
            .list(Some(&prefix))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await?;
        let count = keys.len() as u64;
        let stream = futures_util::stream::iter(keys.into_iter().map(Ok)).boxed();
        let mut deleted = self.inner.delete_stream(stream);
        while let Some(done) = deleted.next().await {
            match done {
                Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(count)
    }
}
