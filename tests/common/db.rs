//! A fresh, empty database per test, on each backend.
//!
//! PostgreSQL and MySQL tests read their server URL from UNIQCHAT_TEST_POSTGRES_URL and
//! UNIQCHAT_TEST_MYSQL_URL. Without it they are skipped on a developer machine and fail in CI.

use sea_orm::{ConnectionTrait, Database};
use uniqchat::store::{Backend, ConnectSettings, Store};

pub const POSTGRES_ENV: &str = "UNIQCHAT_TEST_POSTGRES_URL";
pub const MYSQL_ENV: &str = "UNIQCHAT_TEST_MYSQL_URL";

pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

/// The server URL for `backend`, or None when this run should skip it.
pub fn server_url(backend: Backend) -> Option<String> {
    let var = match backend {
        Backend::Sqlite => return Some(String::new()),
        Backend::Postgres => POSTGRES_ENV,
        Backend::MySql => MYSQL_ENV,
    };
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} is not set: CI must run the {backend:?} tests")
        }
        _ => {
            eprintln!("skipped: {var} is not set");
            None
        }
    }
}

impl TestDb {
    /// Creates an empty database, or None when the backend is not configured (outside CI).
    pub async fn create(backend: Backend) -> Option<TestDb> {
        let server = server_url(backend)?;
        let name = format!(
            "uct_{}",
            uniqchat::types::ids::random_token(12).to_lowercase()
        );
        if backend == Backend::Sqlite {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
            return Some(TestDb {
                backend,
                url,
                admin_url: None,
                name,
                _dir: Some(dir),
            });
        }
        let admin = Database::connect(&server)
            .await
            .expect("connect to test server");
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        let base = server.rsplit_once('/').expect("URL with a database").0;
        Some(TestDb {
            backend,
            url: format!("{base}/{name}"),
            admin_url: Some(server),
            name,
            _dir: None,
        })
    }

    pub async fn store(&self) -> Store {
        let store = Store::connect(&ConnectSettings {
            url: self.url.clone(),
            max_connections: 8,
            connect_timeout: std::time::Duration::from_secs(5),
        })
        .await
        .expect("connect");
        store.migrate().await.expect("migrate");
        store
    }

    /// Drops the database (SQLite's goes with its temp dir).
    pub async fn drop_db(self) {
        if let Some(admin_url) = &self.admin_url {
            let admin = Database::connect(admin_url)
                .await
                .expect("connect to test server");
            let sql = match self.backend {
                Backend::Postgres => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
                _ => format!("DROP DATABASE IF EXISTS {}", self.name),
            };
            admin
                .execute_unprepared(&sql)
                .await
                .expect("drop test database");
            admin.close().await.ok();
        }
    }
}

/// Runs `test` against a migrated store on a fresh database of `backend`.
pub async fn with_store<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let store = db.store().await;
    test(store.clone()).await;
    store.close().await.ok();
    db.drop_db().await;
}

/// Declares each listed `async fn(Store)` as a test on SQLite, PostgreSQL and MySQL.
#[macro_export]
macro_rules! on_every_backend {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::common::db::with_store(uniqchat::store::Backend::Sqlite, super::$name).await
            })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::common::db::with_store(uniqchat::store::Backend::Postgres, super::$name).await
            })+
        }
        mod mysql {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::common::db::with_store(uniqchat::store::Backend::MySql, super::$name).await
            })+
        }
    };
}
