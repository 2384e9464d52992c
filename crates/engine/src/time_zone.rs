//! The session time zone (`spark.sql.session.timeZone`). A Spark `timestamp` is an instant — microseconds since
//! 1970-01-01 00:00 UTC — and the session time zone says which wall-clock time it is: `show()` prints it there,
//! `hour(ts)` reads the hour there, `CAST('2024-03-10 02:30' AS TIMESTAMP)` reads the text as a time there, and
//! `CAST(ts AS DATE)` takes the date there. A `timestamp_ntz` is a wall-clock time already, and no zone touches it.
//!
//! The zone a query runs in travels with the query (see [`crate::query_settings`]); the kernels that turn instants
//! into wall-clock fields read it with [`current`].

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone as _};
use chrono_tz::Tz;

const MICROS_PER_SECOND: i64 = 1_000_000;

/// A zone by region (`America/Los_Angeles`, with its daylight-saving rules and history) or a fixed offset
/// (`+08:00`, `UTC`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeZone {
    Region(Tz),
    Offset(FixedOffset),
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::UTC
    }
}

/// Java's `ZoneId.SHORT_IDS`: three-letter zone names and the zones they stand for.
const SHORT_IDS: [(&str, &str); 28] = [
    ("ACT", "Australia/Darwin"), ("AET", "Australia/Sydney"), ("AGT", "America/Argentina/Buenos_Aires"),
    ("ART", "Africa/Cairo"), ("AST", "America/Anchorage"), ("BET", "America/Sao_Paulo"), ("BST", "Asia/Dhaka"),
    ("CAT", "Africa/Harare"), ("CNT", "America/St_Johns"), ("CST", "America/Chicago"), ("CTT", "Asia/Shanghai"),
    ("EAT", "Africa/Addis_Ababa"), ("ECT", "Europe/Paris"), ("IET", "America/Indiana/Indianapolis"),
    ("IST", "Asia/Kolkata"), ("JST", "Asia/Tokyo"), ("MIT", "Pacific/Apia"), ("NET", "Asia/Yerevan"),
    ("NST", "Pacific/Auckland"), ("PLT", "Asia/Karachi"), ("PNT", "America/Phoenix"), ("PRT", "America/Puerto_Rico"),
    ("PST", "America/Los_Angeles"), ("SST", "Pacific/Guadalcanal"), ("VST", "Asia/Ho_Chi_Minh"),
    ("EST", "-05:00"), ("MST", "-07:00"), ("HST", "-10:00"),
];

impl TimeZone {
    pub const UTC: Self = Self::Region(Tz::UTC);

    /// A zone as Java's `ZoneId.of` reads it: a region ID, `Z`, `UTC`/`GMT`, or an offset `+h`, `+hh:mm`,
    /// `+hhmm`, `+hhmmss`, optionally after `UTC`/`GMT`/`UT`.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        // Spark reads zones with Java's table of old three-letter IDs (`ZoneId.SHORT_IDS`): `PST` is Los Angeles.
        let name = SHORT_IDS.iter().find(|(short, _)| *short == name).map_or(name, |(_, full)| full);
        if let Ok(region) = name.parse::<Tz>() {
            return Some(Self::Region(region));
        }
        if name == "Z" {
            return Some(Self::UTC);
        }
        let offset = ["UTC", "GMT", "UT"].iter().find_map(|prefix| name.strip_prefix(prefix)).unwrap_or(name);
        parse_offset(offset).map(Self::Offset)
    }

    /// The name Spark shows for the zone (`SET spark.sql.session.timeZone`, plans).
    pub fn name(&self) -> String {
        match self {
            Self::Region(region) => region.name().to_string(),
            Self::Offset(offset) if offset.local_minus_utc() == 0 => "Z".to_string(),
            Self::Offset(offset) => offset.to_string(),
        }
    }

    /// Whether the wall clock is UTC's: then instants and wall-clock times have the same microseconds.
    pub fn is_utc(&self) -> bool {
        match self {
            Self::Region(region) => matches!(region, Tz::UTC | Tz::Etc__UTC | Tz::Etc__UCT | Tz::UCT | Tz::Zulu | Tz::Etc__Zulu),
            Self::Offset(offset) => offset.local_minus_utc() == 0,
        }
    }

    /// Whether daylight-saving time is in force at the instant `utc_micros`.
    pub fn is_daylight_saving(&self, utc_micros: i64) -> bool {
        use chrono_tz::OffsetComponents;
        let (Self::Region(region), Some(instant)) = (self, DateTime::from_timestamp_micros(utc_micros)) else { return false };
        region.offset_from_utc_datetime(&instant.naive_utc()).dst_offset().num_seconds() != 0
    }

    /// Seconds the wall clock is ahead of UTC at the instant `utc_micros`.
    pub fn offset_seconds(&self, utc_micros: i64) -> i64 {
        let Some(instant) = DateTime::from_timestamp_micros(utc_micros) else { return 0 };
        let naive = instant.naive_utc();
        i64::from(match self {
            Self::Region(region) => region.offset_from_utc_datetime(&naive).fix().local_minus_utc(),
            Self::Offset(offset) => offset.local_minus_utc(),
        })
    }

    /// The wall-clock time at the instant `utc_micros`, as microseconds of a UTC-based calendar (what a
    /// `timestamp_ntz` holds).
    pub fn local_micros(&self, utc_micros: i64) -> i64 {
        if self.is_utc() {
            return utc_micros;
        }
        utc_micros.saturating_add(self.offset_seconds(utc_micros) * MICROS_PER_SECOND)
    }

    /// The wall-clock time at the instant `utc_micros`.
    pub fn local(&self, utc_micros: i64) -> Option<NaiveDateTime> {
        DateTime::from_timestamp_micros(self.local_micros(utc_micros)).map(|t| t.naive_utc())
    }

    /// The instant at which the wall clock shows `local_micros` (microseconds of a UTC-based calendar). As in
    /// Java: a time the clocks skip (spring forward) moves later by the gap; a time that happens twice (fall back)
    /// is the earlier one.
    pub fn utc_micros(&self, local_micros: i64) -> i64 {
        if self.is_utc() {
            return local_micros;
        }
        let Some(local) = DateTime::from_timestamp_micros(local_micros).map(|t| t.naive_utc()) else { return local_micros };
        let offset = match self {
            Self::Offset(offset) => offset.local_minus_utc(),
            Self::Region(region) => match region.offset_from_local_datetime(&local) {
                chrono::LocalResult::Single(offset) => offset.fix().local_minus_utc(),
                chrono::LocalResult::Ambiguous(earlier, _) => earlier.fix().local_minus_utc(),
                // In a gap: the offset in force just before it.
                chrono::LocalResult::None => region.offset_from_utc_datetime(&(local - chrono::Duration::days(1))).fix().local_minus_utc(),
            },
        };
        local_micros.saturating_sub(i64::from(offset) * MICROS_PER_SECOND)
    }
}

/// `+8`, `+08`, `+08:00`, `+0800`, `+08:00:00`, `+080000` (and `-`), as Java's `ZoneOffset.of` reads them.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let parts: Vec<&str> = if digits.contains(':') {
        digits.split(':').collect()
    } else {
        match digits.len() {
            1 | 2 => vec![digits],
            4 => vec![&digits[..2], &digits[2..]],
            6 => vec![&digits[..2], &digits[2..4], &digits[4..]],
            _ => return None,
        }
    };
    let numbers: Vec<i32> = parts.iter().map(|p| p.parse().ok().filter(|_| p.bytes().all(|b| b.is_ascii_digit()))).collect::<Option<_>>()?;
    let (hours, minutes, seconds) = match numbers.as_slice() {
        [h] => (*h, 0, 0),
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    if hours > 18 || minutes > 59 || seconds > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// The time zone of the query running on this thread.
pub fn current() -> TimeZone {
    crate::query_settings::current().time_zone
}

#[cfg(test)]
mod tests {
    use super::*;

    fn micros(text: &str) -> i64 {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap().and_utc().timestamp_micros()
    }

    #[test]
    fn zones_are_read_as_java_reads_them() {
        assert_eq!(TimeZone::parse("America/Los_Angeles").unwrap().name(), "America/Los_Angeles");
        assert_eq!(TimeZone::parse("UTC").unwrap(), TimeZone::UTC);
        assert_eq!(TimeZone::parse("+08:00").unwrap().name(), "+08:00");
        assert_eq!(TimeZone::parse("UTC+080000").unwrap().offset_seconds(0), 8 * 3600);
        assert_eq!(TimeZone::parse("-5").unwrap().offset_seconds(0), -5 * 3600);
        assert!(TimeZone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn wall_clock_times_follow_daylight_saving() {
        let la = TimeZone::parse("America/Los_Angeles").unwrap();
        assert_eq!(la.local_micros(micros("2024-01-15 20:00:00")), micros("2024-01-15 12:00:00"));
        assert_eq!(la.local_micros(micros("2024-07-15 20:00:00")), micros("2024-07-15 13:00:00"));
        // 02:30 on 2024-03-10 does not exist in Los Angeles: it is 03:30 daylight time.
        assert_eq!(la.utc_micros(micros("2024-03-10 02:30:00")), micros("2024-03-10 10:30:00"));
        // 01:30 on 2024-11-03 happens twice: the earlier one, still daylight time.
        assert_eq!(la.utc_micros(micros("2024-11-03 01:30:00")), micros("2024-11-03 08:30:00"));
    }
}
