//! Country and city of an address, from a GeoIP2/GeoLite2 database in MaxMind's format.

use std::net::IpAddr;

use maxminddb::{geoip2, Reader};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// ISO 3166-1 alpha-2, e.g. "FR".
    pub country: Option<String>,
    /// The city's English name.
    pub city: Option<String>,
}

/// The database, when one is configured; without one every lookup finds nothing.
#[derive(Default)]
pub struct Geo {
    reader: Option<Reader<Vec<u8>>>,
}

impl Geo {
    /// Opens the database at `path`; an empty path means none.
    pub fn open(path: &str) -> Result<Geo, String> {
        if path.trim().is_empty() {
            return Ok(Geo::default());
        }
        let reader = Reader::open_readfile(path).map_err(|e| format!("{path}: {e}"))?;
        Ok(Geo {
            reader: Some(reader),
        })
    }

    pub fn lookup(&self, ip: IpAddr) -> Place {
        let Some(reader) = &self.reader else {
            return Place::default();
        };
        let city = reader
            .lookup(ip)
            .ok()
            .and_then(|r| r.decode::<geoip2::City>().ok().flatten());
        match city {
            Some(c) => Place {
                country: c.country.iso_code.map(str::to_string),
                city: c.city.names.english.map(str::to_string),
            },
            None => Place::default(),
        }
    }
}
