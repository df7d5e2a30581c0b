use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique constraint refused the write; the text names what was duplicated.
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("message not stored: {0}")]
    Write(String),
    /// The conversation was not as the write required (see `Precondition`); it is given as
    /// it was, so the caller can tell why.
    #[error("the conversation is not in the state the message requires")]
    Precondition(Box<super::Conversation>),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(DbErr),
}

impl StoreError {
    /// Maps a unique-constraint violation to `Conflict(what)`, anything else to `Db`.
    pub(crate) fn unique(what: &'static str) -> impl FnOnce(DbErr) -> StoreError {
        move |err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(what),
            _ => StoreError::Db(err),
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(err: DbErr) -> Self {
        StoreError::Db(err)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
