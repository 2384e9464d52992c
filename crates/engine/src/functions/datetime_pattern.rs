//! Spark's datetime patterns (`date_format(ts, 'yyyy-MM-dd HH:mm')`), written out as Spark 3+ writes them with
//! Java's `DateTimeFormatter`: a run of one letter is one field (`MM` the month in two digits, `MMMM` its name),
//! text in single quotes is copied (`''` is a quote), `[…]` is an optional section, anything else is copied.
//! Spark refuses the week-based letters (`Y`, `w`, `W`, `u`, `e`, `c`).

use chrono::{Datelike, NaiveDateTime, Timelike};

use crate::time_zone::TimeZone;
use crate::{EngineError, Result};

/// One piece of a pattern: a field (its letter and how many times it is repeated) or text to copy.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Field(char, usize),
    Text(String),
}

/// A parsed pattern, written out for any number of timestamps.
#[derive(Debug, Clone)]
pub struct DatetimePattern {
    pieces: Vec<Piece>,
}

/// A moment to write out: the instant, its wall-clock time, the zone it is shown in and that zone's offset then.
pub struct Moment {
    pub instant: i64,
    pub local: NaiveDateTime,
    pub zone: TimeZone,
    pub offset_seconds: i64,
}

impl Moment {
    /// The instant `micros` as the wall clock of `zone` shows it.
    pub fn of(micros: i64, zone: TimeZone) -> Option<Self> {
        Some(Self { instant: micros, local: zone.local(micros)?, zone, offset_seconds: zone.offset_seconds(micros) })
    }
}

impl DatetimePattern {
    pub fn parse(pattern: &str) -> Result<Self> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pieces = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                let (text, next) = quoted(&chars, i, pattern)?;
                pieces.push(Piece::Text(text));
                i = next;
                continue;
            }
            if c == '[' || c == ']' {
                i += 1;
                continue;
            }
            if c.is_ascii_alphabetic() {
                let run = chars[i..].iter().take_while(|&&x| x == c).count();
                check_field(c, run, pattern)?;
                pieces.push(Piece::Field(c, run));
                i += run;
                continue;
            }
            pieces.push(Piece::Text(c.to_string()));
            i += 1;
        }
        Ok(Self { pieces })
    }

    /// `moment` written out with the pattern.
    pub fn format(&self, moment: &Moment) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Field(letter, count) => write_field(&mut out, *letter, *count, moment),
            }
        }
        out
    }
}

/// The text of a quoted section starting at `start`, and where the pattern goes on.
fn quoted(chars: &[char], start: usize, pattern: &str) -> Result<(String, usize)> {
    let mut text = String::new();
    let mut i = start + 1;
    if chars.get(i) == Some(&'\'') {
        return Ok(("'".into(), i + 1));
    }
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('\'', Some('\'')) => {
                text.push('\'');
                i += 2;
            }
            ('\'', _) => return Ok((text, i + 1)),
            (c, _) => {
                text.push(c);
                i += 1;
            }
        }
    }
    Err(invalid_pattern(pattern, "a quoted section is not closed"))
}

fn check_field(letter: char, count: usize, pattern: &str) -> Result<()> {
    if matches!(letter, 'Y' | 'w' | 'W' | 'u' | 'e' | 'c') {
        return Err(EngineError::Runtime(format!(
            "[INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_WEEK_BASED_PATTERN] You may get a different result due to \
             the upgrading to Spark >= 3.0: All week-based patterns are unsupported since Spark 3.0, detected \
             week-based character: {letter}. Please use the SQL function EXTRACT instead. SQLSTATE: 42K0B"
        )));
    }
    let most = match letter {
        'G' | 'E' | 'z' | 'Q' | 'q' | 'M' | 'L' | 'X' | 'x' | 'Z' => 5,
        'y' => 10,
        'S' => 9,
        'd' | 'H' | 'h' | 'k' | 'K' | 'm' | 's' => 2,
        'D' => 3,
        'a' | 'F' => 1,
        'V' => 2,
        'O' => 4,
        _ => 0,
    };
    let fine = match letter {
        'V' => count == 2,
        'O' => count == 1 || count == 4,
        _ => count <= most,
    };
    if fine { Ok(()) } else { Err(invalid_pattern(pattern, &format!("unknown pattern letter: {letter} (×{count})"))) }
}

fn invalid_pattern(pattern: &str, why: &str) -> EngineError {
    EngineError::Runtime(format!(
        "[INCONSISTENT_BEHAVIOR_CROSS_VERSION.DATETIME_PATTERN_RECOGNITION] You may get a different result due to the \
         upgrading to Spark >= 3.0: Fail to recognize '{pattern}' pattern in the DateTimeFormatter ({why}). SQLSTATE: \
         42K0B"
    ))
}

fn padded(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", value.unsigned_abs()));
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn write_field(out: &mut String, letter: char, count: usize, moment: &Moment) {
    let t = &moment.local;
    match letter {
        'G' => {
            let ad = t.year() > 0;
            out.push_str(match (count, ad) {
                (4, true) => "Anno Domini",
                (4, false) => "Before Christ",
                (5, true) => "A",
                (5, false) => "B",
                (_, true) => "AD",
                (_, false) => "BC",
            });
        }
        'y' => {
            let year = if t.year() > 0 { i64::from(t.year()) } else { 1 - i64::from(t.year()) };
            if count == 2 { padded(out, year.rem_euclid(100), 2) } else { padded(out, year, count) }
        }
        'Q' | 'q' => {
            let quarter = t.month0() / 3 + 1;
            match count {
                1 | 2 => padded(out, i64::from(quarter), count),
                3 => out.push_str(&format!("Q{quarter}")),
                4 => out.push_str(["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"][quarter as usize - 1]),
                _ => out.push_str(&quarter.to_string()),
            }
        }
        'M' | 'L' => match count {
            1 | 2 => padded(out, i64::from(t.month()), count),
            3 => out.push_str(&MONTHS[t.month0() as usize][..3]),
            4 => out.push_str(MONTHS[t.month0() as usize]),
            _ => out.push_str(&MONTHS[t.month0() as usize][..1]),
        },
        'd' => padded(out, i64::from(t.day()), count),
        'D' => padded(out, i64::from(t.ordinal()), count),
        'F' => padded(out, i64::from((t.day() - 1) % 7 + 1), count),
        'E' => {
            let day = DAYS[t.weekday().num_days_from_monday() as usize];
            out.push_str(match count {
                4 => day,
                5 => &day[..1],
                _ => &day[..3],
            });
        }
        'a' => out.push_str(if t.hour() < 12 { "AM" } else { "PM" }),
        'H' => padded(out, i64::from(t.hour()), count),
        'k' => padded(out, i64::from(if t.hour() == 0 { 24 } else { t.hour() }), count),
        'K' => padded(out, i64::from(t.hour() % 12), count),
        'h' => padded(out, i64::from(if t.hour().is_multiple_of(12) { 12 } else { t.hour() % 12 }), count),
        'm' => padded(out, i64::from(t.minute()), count),
        's' => padded(out, i64::from(t.second()), count),
        'S' => out.push_str(&format!("{:09}", t.nanosecond())[..count]),
        'V' => out.push_str(&moment.zone.name()),
        'z' => out.push_str(&zone_name(moment, count == 4)),
        'X' | 'x' => out.push_str(&iso_offset(moment.offset_seconds, count, letter == 'X')),
        'Z' => out.push_str(&match count {
            4 => localized_offset(moment.offset_seconds, true),
            5 => iso_offset(moment.offset_seconds, 5, true),
            _ => iso_offset(moment.offset_seconds, 2, false),
        }),
        'O' => out.push_str(&localized_offset(moment.offset_seconds, count == 4)),
        _ => {}
    }
}

/// `+08`, `+0530`, `+05:30`, `+053045`, `+05:30:45` as Java's X and x write them; X writes `Z` for UTC.
fn iso_offset(seconds: i64, count: usize, z_for_zero: bool) -> String {
    if seconds == 0 && z_for_zero {
        return "Z".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let total = seconds.unsigned_abs();
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    match count {
        1 if m == 0 => format!("{sign}{h:02}"),
        1 | 2 => format!("{sign}{h:02}{m:02}"),
        3 => format!("{sign}{h:02}:{m:02}"),
        4 if s == 0 => format!("{sign}{h:02}{m:02}"),
        4 => format!("{sign}{h:02}{m:02}{s:02}"),
        _ if s == 0 => format!("{sign}{h:02}:{m:02}"),
        _ => format!("{sign}{h:02}:{m:02}:{s:02}"),
    }
}

/// `GMT-8` / `GMT-08:00` (Java's O and OOOO, and ZZZZ): `GMT` alone for UTC.
fn localized_offset(seconds: i64, full: bool) -> String {
    if seconds == 0 {
        return "GMT".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let total = seconds.unsigned_abs();
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    let hours = if full { format!("{h:02}") } else { h.to_string() };
    match (m, s, full) {
        (0, 0, false) => format!("GMT{sign}{hours}"),
        (_, 0, _) => format!("GMT{sign}{hours}:{m:02}"),
        _ => format!("GMT{sign}{hours}:{m:02}:{s:02}"),
    }
}

/// Standard and daylight names (short and long) of the zones a learner meets most; Java takes them from its locale
/// data, which Kindling does not carry whole.
const ZONE_NAMES: [(&str, [&str; 4]); 12] = [
    ("America/Los_Angeles", ["PST", "PDT", "Pacific Standard Time", "Pacific Daylight Time"]),
    ("America/Denver", ["MST", "MDT", "Mountain Standard Time", "Mountain Daylight Time"]),
    ("America/Phoenix", ["MST", "MDT", "Mountain Standard Time", "Mountain Daylight Time"]),
    ("America/Chicago", ["CST", "CDT", "Central Standard Time", "Central Daylight Time"]),
    ("America/New_York", ["EST", "EDT", "Eastern Standard Time", "Eastern Daylight Time"]),
    ("Europe/London", ["GMT", "BST", "Greenwich Mean Time", "British Summer Time"]),
    ("Europe/Paris", ["CET", "CEST", "Central European Standard Time", "Central European Summer Time"]),
    ("Europe/Berlin", ["CET", "CEST", "Central European Standard Time", "Central European Summer Time"]),
    ("Asia/Shanghai", ["CST", "CDT", "China Standard Time", "China Daylight Time"]),
    ("Asia/Tokyo", ["JST", "JDT", "Japan Standard Time", "Japan Daylight Time"]),
    ("Asia/Kolkata", ["IST", "IST", "India Standard Time", "India Standard Time"]),
    ("UTC", ["UTC", "UTC", "Coordinated Universal Time", "Coordinated Universal Time"]),
];

fn zone_name(moment: &Moment, full: bool) -> String {
    let name = moment.zone.name();
    let daylight = moment.zone.is_daylight_saving(moment.instant);
    match ZONE_NAMES.iter().find(|(zone, _)| *zone == name) {
        Some((_, names)) => names[usize::from(full) * 2 + usize::from(daylight)].to_string(),
        None => localized_offset(moment.offset_seconds, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(pattern: &str, text: &str, zone: &str, offset_seconds: i64) -> String {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap();
        let instant = local.and_utc().timestamp_micros() - offset_seconds * 1_000_000;
        let moment = Moment { instant, local, zone: TimeZone::parse(zone).unwrap(), offset_seconds };
        DatetimePattern::parse(pattern).unwrap().format(&moment)
    }

    #[test]
    fn fields_are_written_as_java_writes_them() {
        let t = "1582-05-31 19:40:35.123";
        let lmt = -(7 * 3600 + 52 * 60 + 58);
        assert_eq!(written("G GGGG y yy yyyyy", t, "America/Los_Angeles", lmt), "AD Anno Domini 1582 82 01582");
        assert_eq!(written("Q QQ QQQ QQQQ M MMM MMMM", t, "America/Los_Angeles", lmt), "2 02 Q2 2nd quarter 5 May May");
        assert_eq!(written("E EEEE F D h a", t, "America/Los_Angeles", lmt), "Mon Monday 3 151 7 PM");
        assert_eq!(written("S SSS SSSSSS", t, "America/Los_Angeles", lmt), "1 123 123000");
        assert_eq!(written("X XXX XXXXX ZZZZ O", t, "America/Los_Angeles", lmt), "-0752 -07:52 -07:52:58 GMT-07:52:58 GMT-7:52:58");
        assert_eq!(written("'at' HH:mm ''", "2020-01-01 09:05:00", "UTC", 0), "at 09:05 '");
        assert_eq!(written("X x", "2020-01-01 09:05:00", "UTC", 0), "Z +00");
    }

    #[test]
    fn week_based_letters_are_refused() {
        assert!(DatetimePattern::parse("YYYY").is_err());
        assert!(DatetimePattern::parse("'YYYY'").is_ok());
    }
}
