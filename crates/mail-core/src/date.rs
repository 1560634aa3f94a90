//! The `Date:` field's date-time (RFC 5322 §3.3), read leniently, as IMAP SEARCH (SENTBEFORE
//! and the like, RFC 9051 §6.4.4) and SORT (RFC 5256 §2.2) need it.

/// A date-time as a message's `Date:` field gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// The year, two-digit years widened (RFC 5322 §4.3: 0–49 → 2000–2049, 50–999 → 1900–).
    pub year: i64,
    /// The month, 1–12.
    pub month: u8,
    /// The day of the month, 1–31 (not checked against the month).
    pub day: u8,
    /// Seconds since midnight; `None` when the time cannot be read.
    pub time: Option<i64>,
    /// The zone's offset east of UTC in seconds; `None` when it cannot be read (or the time
    /// could not).
    pub zone: Option<i64>,
}

impl DateTime {
    /// Reads `text`; `None` without a readable date. Tolerances: no day of week, the
    /// obsolete zones of RFC 5322 §4.3, two-digit years, a time without seconds.
    ///
    /// ```abnf
    /// date-time = [ day-of-week "," ] date time [CFWS]
    /// date      = day month year
    /// time      = time-of-day zone
    /// zone      = (FWS ( "+" / "-" ) 4DIGIT) / obs-zone
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let mut words = text
            .split(|c: char| c.is_ascii_whitespace() || c == ',')
            .filter(|w| !w.is_empty());
        let mut first = words.next()?;
        if first.chars().all(|c| c.is_ascii_alphabetic()) {
            first = words.next()?;
        }
        let day: u8 = first.parse().ok()?;
        let month_name = words.next()?;
        let month = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ]
        .iter()
        .position(|m| month_name.eq_ignore_ascii_case(m))?;
        let year: i64 = words.next()?.parse().ok()?;
        let year = match year {
            0..=49 => year + 2000,
            50..=999 => year + 1900,
            _ => year,
        };
        if !(1..=31).contains(&day) {
            return None;
        }
        let time = words.next().and_then(|t| {
            let mut parts = t.split(':');
            let h: i64 = parts.next()?.parse().ok()?;
            let m: i64 = parts.next()?.parse().ok()?;
            let s: i64 = parts.next().map_or(Some(0), |s| s.parse().ok())?;
            (h < 24 && m < 60 && s <= 60).then_some(h * 3600 + m * 60 + s)
        });
        let zone = time.and_then(|_| words.next()).and_then(zone_seconds);
        Some(Self {
            year,
            month: u8::try_from(month + 1).ok()?,
            day,
            time,
            zone,
        })
    }
}

/// The offset of a zone east of UTC, in seconds (RFC 5322 §3.3, obs-zone §4.3).
fn zone_seconds(zone: &str) -> Option<i64> {
    let bytes = zone.as_bytes();
    if let [sign @ (b'+' | b'-'), digits @ ..] = bytes
        && digits.len() == 4
        && digits.iter().all(u8::is_ascii_digit)
    {
        let n: i64 = zone.get(1..)?.parse().ok()?;
        let secs = (n / 100) * 3600 + (n % 100) * 60;
        return Some(if *sign == b'-' { -secs } else { secs });
    }
    let hours = match zone.to_ascii_uppercase().as_str() {
        "UT" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        _ => return None,
    };
    Some(hours * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5322_dates_and_their_tolerances() {
        let d = DateTime::parse("Tue, 1 Oct 2024 10:00:30 -0130").unwrap();
        assert_eq!((d.year, d.month, d.day), (2024, 10, 1));
        assert_eq!((d.time, d.zone), (Some(36_030), Some(-5_400)));
        let d = DateTime::parse("30 sep 99 00:00 EST").unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.zone),
            (1999, 9, 30, Some(-18_000))
        );
        let d = DateTime::parse("2 Jan 1970 xx +0100").unwrap();
        assert_eq!((d.time, d.zone), (None, None));
        assert_eq!(
            DateTime::parse("1 Jan 1970 00:00:10 +99x").unwrap().zone,
            None
        );
        assert_eq!(DateTime::parse("32 Jan 2020"), None);
        assert_eq!(DateTime::parse("not a date"), None);
    }
}
