//! The HTTP side: router, middleware, controllers, and the server loop.

pub mod error;
pub(crate) mod extract;
mod handlers;
mod middleware;
mod openapi;
pub mod router;
pub mod server;

use std::sync::Arc;

use crate::config::Config;
use tokio_util::sync::CancellationToken;

use crate::cluster::{Bus, Parts, Presence};
use crate::service::auth::AuthSettings;
use crate::service::bots::routing_script::RoutingScriptService;
use crate::service::bots::sentiment::SentimentService;
use crate::service::chat::ChatSettings;
use crate::service::files::{FileLimits, FileService, LinkSigner};
use crate::service::mail::ReopenLinks;
use crate::service::outbox::Subscriptions;
use crate::service::reports::ReportService;
use crate::service::sealing::Sealer;
use crate::service::team::TeamService;
use crate::service::Drain;
use crate::service::{
    AccountService, AdminService, AuthService, BotService, ChatService, DemoService, HealthService,
    InboxService, IntegrationService, LiveService, MailService, PrivacyService, SsoService,
    VisitorService, WebhookService,
};
use crate::storage::Storage;
use crate::store::{Backend, MessageWriter, Store};
use crate::ws::admission::Admission;
use crate::ws::hub::Hub;
use crate::ws::Gateway;

/// What handlers reach: the settings and the services (never the store directly), shared:
/// axum clones the state for every request, and a clone is one reference count, not one per
/// service (docs/performance.md, "Sixth round").
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The settings and the services an `AppState` shares.
pub struct Services {
    pub config: Arc<Config>,
    pub backend: Backend,
    pub auth: AuthService,
    /// Single sign-on with each tenant's OpenID provider.
    pub sso: SsoService,
    pub accounts: AccountService,
    pub admin: AdminService,
    pub health: HealthService,
    pub visitors: VisitorService,
    pub inbox: InboxService,
    pub integrations: IntegrationService,
    pub team: TeamService,
    /// Reports over a date range and the live monitor.
    pub reports: ReportService,
    pub chat: ChatService,
    /// The tenant's bots: settings, knowledge base, and the worker that answers (service/bots).
    pub bots: BotService,
    pub demo: DemoService,
    /// Webhook endpoints, their delivery log, and the delivery worker.
    pub webhooks: WebhookService,
    /// Per-tenant SMTP settings, the mail outbox and its worker.
    pub mail: MailService,
    /// Attached files: checks, storage, signed links, per-tenant limits.
    pub files: FileService,
    /// Export and erasure of everything about a visitor (docs/privacy.md).
    pub privacy: PrivacyService,
    /// Visitors on the site now, invitations and triggers.
    pub live: LiveService,
    /// The mood of visitor messages, scored after they are stored.
    pub sentiment: SentimentService,
    /// The tenants' Lua routing scripts.
    pub routing_scripts: RoutingScriptService,
    pub hub: Arc<Hub>,
    /// What the realtime connections share: the services above they call, made once.
    pub gateway: Arc<Gateway>,
    /// Caps and rates on realtime connections.
    pub admission: Arc<Admission>,
    pub presence: Arc<dyn Presence>,
    /// Fired at shutdown: realtime connections close with 1001 "going away".
    pub shutdown: CancellationToken,
    /// Set at SIGTERM, before the shutdown: `/readyz` answers 503 and new realtime connections
    /// are refused while the open ones still work.
    pub drain: Drain,
}

impl AppState {
    pub fn new(
        config: Arc<Config>,
        store: Store,
        writer: MessageWriter,
        storage: Storage,
        shutdown: CancellationToken,
        cluster: Parts,
        drain: Drain,
    ) -> Result<Self, crate::service::ServiceError> {
        let hub = Arc::new(Hub::default());
        let bus: Arc<dyn Bus> = cluster.bus;
        bus.subscribe(hub.clone());
        let sealer = Sealer::new(&config.auth.secret_key);
        let auth = AuthService::new(
            store.clone(),
            AuthSettings {
                jwt_secret: config.auth.jwt_secret.clone(),
                sealer: sealer.clone(),
                access_ttl_secs: config.auth.access_token_ttl_secs,
                refresh_ttl_secs: config.auth.refresh_token_ttl_secs,
                login_per_minute_account: config.auth.login_per_minute_account,
                login_per_minute_ip: config.auth.login_per_minute_ip,
            },
            bus.clone(),
        );
        let sso = SsoService::new(
            store.clone(),
            sealer.clone(),
            auth.clone(),
            &config.public_url(),
        );
        let presence: Arc<dyn Presence> = cluster.presence;
        let hooks = Subscriptions::new(store.clone());
        let webhooks = WebhookService::new(
            store.clone(),
            sealer.clone(),
            config.webhooks.clone(),
            hooks.clone(),
        )?;
        let reopen = ReopenLinks::new(&config.auth.secret_key);
        let mail = MailService::new(
            store.clone(),
            sealer.clone(),
            config.mail.clone(),
            &config.public_url(),
            hub.clone(),
            reopen.clone(),
        );
        let geo = crate::service::live::Geo::open(&config.geoip.database)
            .map_err(|e| crate::service::ServiceError::Internal(format!("geoip.database: {e}")))?;
        let geo = Arc::new(geo);
        let sentiment = SentimentService::new(store.clone());
        let routing_scripts =
            RoutingScriptService::new(store.clone(), geo.clone(), sentiment.clone());
        let archive_reader =
            crate::service::archive::ArchiveReader::new(store.clone(), storage.clone());
        let chat = ChatService::new(
            store.clone(),
            writer,
            bus.clone(),
            presence.clone(),
            ChatSettings {
                max_chars: config.realtime.max_message_chars,
                offline_grace: std::time::Duration::from_secs(config.realtime.offline_grace_secs),
                stopping: shutdown.clone(),
                hooks: hooks.clone(),
                mail: mail.clone(),
                scripts: routing_scripts.clone(),
                archive: archive_reader.clone(),
            },
        );
        let live = LiveService::new(
            store.clone(),
            chat.clone(),
            bus.clone(),
            presence.clone(),
            cluster.live,
            geo,
        );
        let bots = BotService::new(store.clone(), chat.clone(), sealer.clone(), &bus)?;
        let files = FileService::new(
            store.clone(),
            storage,
            FileLimits::from_config(&config.storage),
            LinkSigner::new(&config.auth.jwt_secret),
        );
        let admission = Arc::new(Admission::new(config.connections.clone()));
        let gateway = Arc::new(Gateway {
            chat: chat.clone(),
            live: live.clone(),
            hub: hub.clone(),
            admission: admission.clone(),
            shutdown: shutdown.clone(),
        });
        Ok(AppState(Arc::new(Services {
            live,
            sentiment,
            routing_scripts,
            bots,
            webhooks,
            sso,
            backend: store.backend(),
            visitors: VisitorService::new(store.clone(), auth.clone(), presence.clone(), reopen),
            mail,
            integrations: IntegrationService::new(
                store.clone(),
                chat.clone(),
                auth.clone(),
                sealer.clone(),
                hooks,
            ),
            chat,
            auth,
            accounts: AccountService::new(store.clone()),
            privacy: PrivacyService::new(
                store.clone(),
                files.clone(),
                archive_reader.clone(),
                bus.clone(),
            ),
            admin: AdminService::new(
                store.clone(),
                bus,
                files.clone(),
                chrono::Duration::seconds(config.auth.one_time_password_ttl_secs as i64),
            ),
            inbox: InboxService::new(store.clone(), archive_reader),
            demo: DemoService::new(store.clone()),
            files,
            team: TeamService::new(store.clone(), presence.clone()),
            reports: ReportService::new(store.clone(), presence.clone()),
            health: HealthService::new(store, cluster.status, drain.clone()),
            gateway,
            hub,
            admission,
            presence,
            shutdown,
            drain,
            config,
        })))
    }
}
