use serde::Serialize;

use crate::store::StoreError;

/// One input field that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// What a business operation can answer besides success. Each variant has a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{}", describe(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// The account signed in with a one-time password and may only change it.
    #[error("change your one-time password first (POST /api/auth/password)")]
    PasswordChangeRequired,
    /// The tenant requires two-factor sign-in and the account may only set it up.
    #[error(
        "your organisation requires two-factor sign-in: set it up first (POST /api/auth/2fa/setup)"
    )]
    TwoFactorEnrolmentRequired,
    /// A file over the size limit.
    #[error("{0}")]
    TooLarge(String),
    /// A file whose content is of a type that is not accepted.
    #[error("{0}")]
    UnsupportedType(String),
    /// The tenant's pre-chat form has required answers this visitor has not given.
    #[error("{0}")]
    PrechatRequired(String),
    #[error("too many attempts; retry in {0} s")]
    RateLimited(u64),
    /// An outside system we depend on (e.g. a single sign-on provider) failed or answered
    /// something unusable.
    #[error("{0}")]
    Upstream(String),
    /// The conversation was archived (docs/retention.md): it is read-only.
    #[error("the conversation is archived: it can be read but not written to")]
    Archived,
    #[error("storage failure: {0}")]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// The stable, machine-readable code clients can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::NotFound(_) => "not_found",
            ServiceError::Invalid(_) => "validation_failed",
            ServiceError::Conflict(_) => "conflict",
            ServiceError::Unauthorized(_) => "unauthorized",
            ServiceError::Forbidden(_) => "forbidden",
            ServiceError::PasswordChangeRequired => "password_change_required",
            ServiceError::TwoFactorEnrolmentRequired => "two_factor_enrolment_required",
            ServiceError::RateLimited(_) => "rate_limited",
            ServiceError::Upstream(_) => "upstream_failed",
            ServiceError::TooLarge(_) => "file_too_large",
            ServiceError::UnsupportedType(_) => "unsupported_file_type",
            ServiceError::PrechatRequired(_) => "prechat_required",
            ServiceError::Archived => "conversation_archived",
            ServiceError::Store(_) | ServiceError::Internal(_) => "internal",
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Conflict(what) => ServiceError::Conflict(format!("{what} already exists")),
            // A conditional write whose caller did not expect the conversation to change.
            StoreError::Precondition(_) => {
                ServiceError::Conflict("the conversation changed meanwhile; reload it".into())
            }
            other => ServiceError::Store(other),
        }
    }
}

/// Collects field errors so a request hears about every bad field at once.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    /// Keeps the value of `result`, or records its field errors and returns None.
    pub fn take<T>(&mut self, result: ServiceResult<T>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(ServiceError::Invalid(mut fields)) => {
                self.0.append(&mut fields);
                None
            }
            Err(other) => {
                self.0.push(FieldError {
                    field: "_".into(),
                    message: other.to_string(),
                });
                None
            }
        }
    }

    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn finish(self) -> ServiceResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.0))
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
