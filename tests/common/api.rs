//! A JSON client for the HTTP API and a two-tenant fixture with a token per role.

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};

use super::server::{cli, run, TestServer};

/// Server settings for API tests: no IP rate limit, generous login limits.
pub const API_ENV: [(&str, &str); 3] = [
    ("UNIQCHAT__RATE_LIMIT__ENABLED", "false"),
    ("UNIQCHAT__AUTH__LOGIN_PER_MINUTE_ACCOUNT", "1000"),
    ("UNIQCHAT__AUTH__LOGIN_PER_MINUTE_IP", "10000"),
];

pub struct Api {
    pub base: String,
    pub client: Client,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// The `error.code` of an error answer.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn field_errors(&self) -> Vec<String> {
        self.body["error"]["fields"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|f| f["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Api {
    pub fn new(server: &TestServer) -> Api {
        Api {
            base: server.base.clone(),
            client: Client::new(),
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply { status, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Option<Value>) -> Reply {
        self.call(Method::PUT, path, Some(token), body).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Logs in and returns the whole session answer.
    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.call(
            Method::POST,
            "/api/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await
    }

    /// Logs in and returns the access token, failing the test otherwise.
    pub async fn token(&self, email: &str, password: &str) -> String {
        let r = self.login(email, password).await;
        assert_eq!(r.status, StatusCode::OK, "login {email}: {}", r.body);
        r.body["access_token"].as_str().unwrap().to_string()
    }
}

pub const PASSWORD: &str = "test-password-1";

/// A tenant made with `uniqchat init` against the server's database.
pub struct TenantFixture {
    pub id: String,
    pub site_key: String,
    pub owner_email: String,
    pub owner_id: String,
}

pub fn init_tenant(server: &TestServer, name: &str, owner_email: &str) -> TenantFixture {
    let out = run(cli(server.workdir.path())
        .args([
            "--database-url",
            &server.database_url,
            "init",
            "--json",
            "--tenant",
            name,
        ])
        .args(["--email", owner_email, "--password", PASSWORD]));
    assert!(
        out.status.success(),
        "init: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("init --json");
    TenantFixture {
        id: v["tenant"]["id"].as_str().unwrap().into(),
        site_key: v["tenant"]["site_key"].as_str().unwrap().into(),
        owner_email: owner_email.into(),
        owner_id: v["account"]["id"].as_str().unwrap().into(),
    }
}

/// Two tenants; tenant A has an owner, an admin and an agent, tenant B an owner.
pub struct World {
    pub server: TestServer,
    pub api: Api,
    pub a: TenantFixture,
    pub b: TenantFixture,
    pub owner: String,
    pub admin: String,
    pub agent: String,
    pub admin_id: String,
    pub agent_id: String,
    pub other_owner: String,
}

impl World {
    pub async fn new() -> World {
        Self::with_env(&[]).await
    }

    pub async fn with_env(extra: &[(&str, &str)]) -> World {
        let mut env: Vec<(&str, &str)> = API_ENV.to_vec();
        env.extend_from_slice(extra);
        Self::on(TestServer::start(&env).await).await
    }

    /// The fixture on a server the caller started (with `API_ENV` among its settings).
    pub async fn on(server: TestServer) -> World {
        let api = Api::new(&server);
        let a = init_tenant(&server, "Acme", "owner@acme.test");
        let b = init_tenant(&server, "Globex", "owner@globex.test");
        let owner = api.token(&a.owner_email, PASSWORD).await;
        let other_owner = api.token(&b.owner_email, PASSWORD).await;
        let mut ids = Vec::new();
        for (email, role) in [("admin@acme.test", "admin"), ("agent@acme.test", "agent")] {
            let r = api
                .post(
                    "/api/admin/users",
                    &owner,
                    json!({ "email": email, "role": role, "password": PASSWORD }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            ids.push(r.body["id"].as_str().unwrap().to_string());
        }
        let admin = api.token("admin@acme.test", PASSWORD).await;
        let agent = api.token("agent@acme.test", PASSWORD).await;
        World {
            server,
            api,
            a,
            b,
            owner,
            admin,
            agent,
            admin_id: ids[0].clone(),
            agent_id: ids[1].clone(),
            other_owner,
        }
    }
}
