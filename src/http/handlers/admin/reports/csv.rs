//! CSV (RFC 4180: comma-separated, CRLF line ends, quoted where needed) for report tables.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// One cell of a table.
#[derive(Clone)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Empty when there is no value (e.g. a median of nothing).
    Num(Option<f64>),
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<u64> for Cell {
    fn from(v: u64) -> Self {
        Cell::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        Cell::Num(v)
    }
}

/// A file to download: `name` without extension.
pub struct Csv {
    pub name: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Csv {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let header: Vec<String> = self.header.iter().map(|h| text(h)).collect();
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(cell).collect();
            out.push_str(&cells.join(","));
            out.push_str("\r\n");
        }
        out
    }
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => text(s),
        Cell::Int(v) => v.to_string(),
        Cell::Num(None) => String::new(),
        Cell::Num(Some(v)) => v.to_string(),
    }
}

/// Quoted when it holds a comma, quote or line break; a leading `=`, `+`, `-`, `@` or tab is
/// neutralised with a `'` so that a spreadsheet does not run it as a formula.
fn text(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl IntoResponse for Csv {
    fn into_response(self) -> Response {
        let disposition = format!("attachment; filename=\"{}.csv\"", self.name);
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            self.render(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_formulas() {
        let csv = Csv {
            name: "t".into(),
            header: vec!["a", "b", "c", "d"],
            rows: vec![vec![
                "x, \"y\"\nz".into(),
                "=1+1".into(),
                Cell::Num(None),
                Cell::Num(Some(2.5)),
            ]],
        };
        assert_eq!(
            csv.render(),
            "a,b,c,d\r\n\"x, \"\"y\"\"\nz\",'=1+1,,2.5\r\n"
        );
        assert_eq!(cell(&Cell::Num(Some(30.0))), "30");
    }
}
