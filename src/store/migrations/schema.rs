//! Column helpers that give each type the same meaning on every backend.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

/// A sortable id (UUIDv7 text).
pub fn id(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(36)
        .not_null()
        .to_owned()
}

pub fn opt_id(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(36)
        .null()
        .to_owned()
}

pub fn string(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(len)
        .not_null()
        .to_owned()
}

pub fn opt_string(name: &str, len: u32) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .string_len(len)
        .null()
        .to_owned()
}

pub fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .text()
        .not_null()
        .to_owned()
}

pub fn int(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .integer()
        .not_null()
        .to_owned()
}

pub fn big(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .to_owned()
}

pub fn boolean(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .boolean()
        .not_null()
        .to_owned()
}

/// A UTC instant. MySQL's TIMESTAMP ends in 2038 and drops fractions, so it gets DATETIME(6);
/// the connection runs in UTC there, so the value means the same instant on every backend.
fn instant(backend: DatabaseBackend, name: &str) -> ColumnDef {
    let mut col = ColumnDef::new(Alias::new(name));
    match backend {
        DatabaseBackend::MySql => col.custom(Alias::new("DATETIME(6)")),
        _ => col.timestamp_with_time_zone(),
    };
    col
}

pub fn time(backend: DatabaseBackend, name: &str) -> ColumnDef {
    instant(backend, name).not_null().to_owned()
}

pub fn opt_time(backend: DatabaseBackend, name: &str) -> ColumnDef {
    instant(backend, name).null().to_owned()
}

/// A foreign key from `table.column` to `target.id` that goes with its target.
pub fn cascade(table: &str, column: &str, target: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new(target), Alias::new("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

pub fn index(table: &str, name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(format!("ix_{table}_{name}"))
        .table(Alias::new(table));
    for col in columns {
        idx.col(Alias::new(*col));
    }
    idx.to_owned()
}

pub fn unique(table: &str, name: &str, columns: &[&str]) -> IndexCreateStatement {
    let mut idx = index(table, name, columns);
    idx.unique();
    idx.name(format!("ux_{table}_{name}")).to_owned()
}

pub fn composite_key(columns: &[&str]) -> IndexCreateStatement {
    let mut idx = Index::create();
    for col in columns {
        idx.col(Alias::new(*col));
    }
    idx.to_owned()
}
