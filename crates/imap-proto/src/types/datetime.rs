//! Dates and date-times (RFC 9051 §9).

use super::parser::{Encode, Encoder, PResult, Parser, parse_all};
use crate::error::{ParseError, ValueError};

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A calendar date of SEARCH keys (`BEFORE`, `SINCE`, …), RFC 9051 §9.
///
/// ```abnf
/// date       = date-text / DQUOTE date-text DQUOTE
/// date-text  = date-day "-" date-month "-" date-year
/// date-day   = 1*2DIGIT
/// date-month = "Jan" / "Feb" / "Mar" / "Apr" / "May" / "Jun" / "Jul" / "Aug" / "Sep" / "Oct" / "Nov" / "Dec"
/// date-year  = 4DIGIT
/// ```
///
/// Month names are matched case-insensitively (tolerance); the day must exist in its month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Returns the date, checked against the calendar.
    ///
    /// # Errors
    /// [`ValueError::Range`] for a year over 9999, a month outside 1–12 or a day that the
    /// month does not have.
    pub const fn new(year: u16, month: u8, day: u8) -> Result<Self, ValueError> {
        if year > 9999 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) {
            return Err(ValueError::Range("date"));
        }
        Ok(Self { year, month, day })
    }

    /// Returns the year.
    pub const fn year(&self) -> u16 {
        self.year
    }

    /// Returns the month, 1–12.
    pub const fn month(&self) -> u8 {
        self.month
    }

    /// Returns the day of the month, 1–31.
    pub const fn day(&self) -> u8 {
        self.day
    }

    /// Parses a whole input as a date.
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let quoted = p.eat(b'"');
        let at = p.pos();
        let day = digits(p, 1, 2, "date-day")?;
        let date = read_rest(p, day, at)?;
        if quoted {
            p.byte(b'"', "closing DQUOTE")?;
        }
        Ok(date)
    }

    fn encode_text(&self, out: &mut Encoder) {
        out.number(u64::from(self.day));
        out.raw(b"-");
        out.raw(
            MONTHS
                .get(usize::from(self.month.saturating_sub(1)))
                .map_or(&b"Jan"[..], |m| &m[..]),
        );
        out.raw(b"-");
        four(out, self.year);
    }
}

/// Reads `"-" date-month "-" date-year` after the day.
fn read_rest(p: &mut Parser<'_>, day: u32, at: usize) -> PResult<Date> {
    p.byte(b'-', "'-' after the day")?;
    let m = p.rest().get(..3).ok_or(p.err("date-month"))?;
    let month = MONTHS
        .iter()
        .position(|name| name.eq_ignore_ascii_case(m))
        .ok_or(p.err("date-month"))?;
    p.advance(3);
    p.byte(b'-', "'-' after the month")?;
    let year = digits(p, 4, 4, "date-year")?;
    Date::new(year as u16, month as u8 + 1, day as u8).map_err(|_| p.invalid(at, "date"))
}

/// Reads `min` to `max` digits as a number.
fn digits(p: &mut Parser<'_>, min: usize, max: usize, what: &'static str) -> PResult<u32> {
    let rest = p.rest();
    let n = rest
        .iter()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if n < min {
        return Err(p.err(what));
    }
    let v = rest
        .iter()
        .take(n)
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    p.advance(n);
    Ok(v)
}

fn two(out: &mut Encoder, v: u8) {
    out.raw(&[b'0' + v / 10 % 10, b'0' + v % 10]);
}

fn four(out: &mut Encoder, v: u16) {
    let d = |n: u16| b'0' + (n % 10) as u8;
    out.raw(&[d(v / 1000), d(v / 100), d(v / 10), d(v)]);
}

impl Encode for Date {
    fn encode(&self, out: &mut Encoder) {
        self.encode_text(out);
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_wire()))
    }
}

/// A date, time and zone: APPEND's internal date and `INTERNALDATE` (RFC 9051 §9).
///
/// ```abnf
/// date-time      = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
/// date-day-fixed = (SP DIGIT) / 2DIGIT
/// time           = 2DIGIT ":" 2DIGIT ":" 2DIGIT
/// zone           = ("+" / "-") 4DIGIT
/// ```
///
/// Tolerance: a one-digit day without the padding space. Encoded with a two-digit day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    /// Offset from UTC in minutes.
    zone: i16,
}

impl DateTime {
    /// Returns the date-time, checked: hour 0–23, minute 0–59, second 0–60 (leap second),
    /// zone within ±99:59 with minutes under 60 (`zone_minutes` is the offset from UTC).
    ///
    /// # Errors
    /// [`ValueError::Range`] for a value outside these ranges.
    pub const fn new(
        date: Date,
        hour: u8,
        minute: u8,
        second: u8,
        zone_minutes: i16,
    ) -> Result<Self, ValueError> {
        if hour > 23 || minute > 59 || second > 60 || zone_minutes.unsigned_abs() > 99 * 60 + 59 {
            return Err(ValueError::Range("date-time"));
        }
        Ok(Self {
            date,
            hour,
            minute,
            second,
            zone: zone_minutes,
        })
    }

    /// Returns the date.
    pub const fn date(&self) -> Date {
        self.date
    }

    /// Returns hour, minute and second.
    pub const fn time(&self) -> (u8, u8, u8) {
        (self.hour, self.minute, self.second)
    }

    /// Returns the offset from UTC in minutes.
    pub const fn zone_minutes(&self) -> i16 {
        self.zone
    }

    /// Parses a whole input as a date-time (with its quotes).
    ///
    /// # Errors
    /// [`ParseError`] at the first byte that breaks the grammar.
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        match Self::read_fixed(p) {
            Some(fixed) => fixed,
            None => Self::read_general(p),
        }
    }

    /// Reads any date-time [`read`](Self::read) accepts, byte by byte.
    fn read_general(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        p.byte(b'"', "date-time")?;
        p.eat(b' ');
        let day = digits(p, 1, 2, "date-day-fixed")?;
        let date = read_rest(p, day, at)?;
        p.byte(b' ', "SP before the time")?;
        let hour = digits(p, 2, 2, "hour")?;
        p.byte(b':', "':'")?;
        let minute = digits(p, 2, 2, "minute")?;
        p.byte(b':', "':'")?;
        let second = digits(p, 2, 2, "second")?;
        p.byte(b' ', "SP before the zone")?;
        let sign: i16 = if p.eat(b'+') {
            1
        } else if p.eat(b'-') {
            -1
        } else {
            return Err(p.err("zone sign"));
        };
        let zone = digits(p, 4, 4, "zone")?;
        p.byte(b'"', "closing DQUOTE")?;
        let zone = ((zone / 100) as i16, (zone % 100) as i16);
        Self::from_fields(p, at, date, [hour, minute, second], sign, zone)
    }

    /// The end both readers share: the zone's minutes checked, then the time by
    /// [`DateTime::new`]; an error points at the opening quote, `at`.
    fn from_fields(
        p: &Parser<'_>,
        at: usize,
        date: Date,
        [hour, minute, second]: [u32; 3],
        sign: i16,
        (zone_hours, zone_minutes): (i16, i16),
    ) -> PResult<Self> {
        if zone_minutes > 59 {
            return Err(p.invalid(at, "zone"));
        }
        Self::new(
            date,
            hour as u8,
            minute as u8,
            second as u8,
            sign * (zone_hours * 60 + zone_minutes),
        )
        .map_err(|_| p.invalid(at, "date-time"))
    }
}

impl DateTime {
    /// Reads the form every server sends, `"dd-Mon-yyyy hh:mm:ss +zzzz"` (the day may be
    /// ` d`), from fixed offsets. `None`, with nothing consumed, for anything else: the
    /// general reader then reads it (and reports its errors) as before. A value that fits the
    /// layout but is out of range fails as the general reader fails.
    fn read_fixed(p: &mut Parser<'_>) -> Option<PResult<Self>> {
        let at = p.pos();
        let w: &[u8; 28] = p.rest().first_chunk::<28>()?;
        let [
            b'"',
            d1,
            d2,
            b'-',
            m1,
            m2,
            m3,
            b'-',
            y1,
            y2,
            y3,
            y4,
            b' ',
            h1,
            h2,
            b':',
            n1,
            n2,
            b':',
            s1,
            s2,
            b' ',
            sign,
            z1,
            z2,
            z3,
            z4,
            b'"',
        ] = *w
        else {
            return None;
        };
        let digit = |b: u8| b.is_ascii_digit().then(|| u32::from(b - b'0'));
        let day = match d1 {
            b' ' => digit(d2)?,
            _ => digit(d1)? * 10 + digit(d2)?,
        };
        let month = MONTHS
            .iter()
            .position(|name| name.eq_ignore_ascii_case(&[m1, m2, m3]))?;
        let year = digit(y1)? * 1000 + digit(y2)? * 100 + digit(y3)? * 10 + digit(y4)?;
        let hour = digit(h1)? * 10 + digit(h2)?;
        let minute = digit(n1)? * 10 + digit(n2)?;
        let second = digit(s1)? * 10 + digit(s2)?;
        let sign: i16 = match sign {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let zh = (digit(z1)? * 10 + digit(z2)?) as i16;
        let zm = (digit(z3)? * 10 + digit(z4)?) as i16;
        p.advance(w.len());
        let Ok(date) = Date::new(year as u16, month as u8 + 1, day as u8) else {
            return Some(Err(p.invalid(at, "date")));
        };
        Some(Self::from_fields(
            p,
            at,
            date,
            [hour, minute, second],
            sign,
            (zh, zm),
        ))
    }
}

impl Encode for DateTime {
    fn encode(&self, out: &mut Encoder) {
        out.raw(b"\"");
        two(out, self.date.day);
        out.raw(b"-");
        out.raw(
            MONTHS
                .get(usize::from(self.date.month.saturating_sub(1)))
                .map_or(&b"Jan"[..], |m| &m[..]),
        );
        out.raw(b"-");
        four(out, self.date.year);
        out.raw(b" ");
        two(out, self.hour);
        out.raw(b":");
        two(out, self.minute);
        out.raw(b":");
        two(out, self.second);
        out.raw(if self.zone < 0 { b" -" } else { b" +" });
        let z = self.zone.unsigned_abs();
        two(out, (z / 60) as u8);
        two(out, (z % 60) as u8);
        out.raw(b"\"");
    }
}

impl core::fmt::Display for DateTime {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_wire()))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn fixed_layout_reads_as_the_general_reader() {
        use bytes::Bytes;
        let template = b"\"17-Jul-1996 02:44:25 -0700\" rest";
        let mut inputs: Vec<Vec<u8>> = vec![
            template.to_vec(),
            b"\" 7-jul-1996 02:44:25 +0000\"".to_vec(),
        ];
        for pos in 0..template.len() {
            for b in [
                b' ', b'0', b'9', b'6', b'-', b'+', b'"', b'a', b'J', 0, 0xff,
            ] {
                let mut v = template.to_vec();
                v[pos] = b;
                inputs.push(v);
            }
        }
        for input in inputs {
            let src = Bytes::from(input.clone());
            let mut fast = Parser::new(&src);
            let mut general = Parser::new(&src);
            let want = DateTime::read_general(&mut general);
            assert_eq!(DateTime::read(&mut fast), want, "{input:?}");
            if want.is_ok() {
                assert_eq!(fast.pos(), general.pos(), "{input:?}");
            }
        }
    }

    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse(b"1-Feb-1994").unwrap(),
            Date::new(1994, 2, 1).unwrap()
        );
        assert_eq!(
            Date::parse(b"\"01-feb-1994\"").unwrap().to_string(),
            "1-Feb-1994"
        );
        assert!(Date::parse(b"29-Feb-1995").is_err());
        assert!(Date::parse(b"29-Feb-1996").is_ok());
        assert!(Date::parse(b"1-Foo-1994").is_err());
        assert!(Date::parse(b"1-Feb-94").is_err());
        assert!(Date::parse(b"123-Feb-1994").is_err());
    }

    #[test]
    fn date_times() {
        let d = DateTime::parse(b"\"17-Jul-1996 02:44:25 -0700\"").unwrap();
        assert_eq!(d.zone_minutes(), -420);
        assert_eq!(d.to_string(), "\"17-Jul-1996 02:44:25 -0700\"");
        let d = DateTime::parse(b"\" 7-Feb-1994 21:52:25 -0800\"").unwrap();
        assert_eq!(d.to_string(), "\"07-Feb-1994 21:52:25 -0800\"");
        assert!(DateTime::parse(b"\"7-Feb-1994 21:52:25 -0800\"").is_ok());
        assert!(DateTime::parse(b"\"07-Feb-1994 24:00:00 +0000\"").is_err());
        assert!(DateTime::parse(b"\"07-Feb-1994 21:52:25 +0060\"").is_err());
        assert!(DateTime::parse(b"\"07-Feb-1994 21:52:25\"").is_err());
    }
}
