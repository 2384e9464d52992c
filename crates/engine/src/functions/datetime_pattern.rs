//! Spark's datetime patterns (`date_format(ts, 'yyyy-MM-dd HH:mm')`), written out as Spark 3+ writes them with
//! Java's `DateTimeFormatter`: a run of one letter is one field (`MM` the month in two digits, `MMMM` its name),
//! text in single quotes is copied (`''` is a quote), `[…]` is an optional section, anything else is copied.
//! Spark refuses the week-based letters (`Y`, `w`, `W`, `u`, `e`, `c`).

use chrono::{Datelike, NaiveDateTime, Timelike};

use crate::time_zone::TimeZone;
use crate::{EngineError, Result};

/// One piece of a pattern: a field (its letter and how many times it is repeated), text to copy, or an optional
/// section (`[…]`: written out in full, and skipped when reading text that does not have it).
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Field(char, usize),
    Text(String),
    Optional(Vec<Piece>),
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
        let mut sections: Vec<Vec<Piece>> = vec![Vec::new()];
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let piece = if c == '\'' {
                let (text, next) = quoted(&chars, i, pattern)?;
                i = next;
                Piece::Text(text)
            } else if c == '[' {
                sections.push(Vec::new());
                i += 1;
                continue;
            } else if c == ']' {
                let section = sections.pop().filter(|_| !sections.is_empty());
                let section = section.ok_or_else(|| invalid_pattern(pattern, "`]` closes no optional section"))?;
                i += 1;
                Piece::Optional(section)
            } else if c.is_ascii_alphabetic() {
                let run = chars[i..].iter().take_while(|&&x| x == c).count();
                check_field(c, run, pattern)?;
                i += run;
                Piece::Field(c, run)
            } else {
                i += 1;
                Piece::Text(c.to_string())
            };
            sections.last_mut().expect("the outermost section").push(piece);
        }
        while sections.len() > 1 {
            let section = sections.pop().expect("more than one section");
            sections.last_mut().expect("an outer section").push(Piece::Optional(section));
        }
        Ok(Self { pieces: sections.pop().unwrap_or_default() })
    }

    /// `moment` written out with the pattern.
    pub fn format(&self, moment: &Moment) -> String {
        let mut out = String::new();
        write_pieces(&mut out, &self.pieces, moment);
        out
    }

    /// The wall-clock time `text` spells with the pattern, and the zone it names if it names one; `None` when the
    /// text does not match. Fields the pattern leaves out take their 1970-01-01 00:00:00 values.
    pub fn read(&self, text: &str) -> Option<(NaiveDateTime, Option<TimeZone>)> {
        let mut reader = Reader { text: text.chars().collect(), at: 0, fields: Fields::default() };
        reader.pieces(&self.pieces)?;
        (reader.at == reader.text.len()).then_some(())?;
        reader.fields.assemble()
    }
}

fn write_pieces(out: &mut String, pieces: &[Piece], moment: &Moment) {
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Field(letter, count) => write_field(out, *letter, *count, moment),
            Piece::Optional(inner) => write_pieces(out, inner, moment),
        }
    }
}

/// The fields read so far.
#[derive(Default, Clone)]
struct Fields {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    hour: Option<u32>,
    clock_hour: Option<u32>,
    afternoon: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: Option<u32>,
    zone: Option<TimeZone>,
}

impl Fields {
    fn assemble(self) -> Option<(NaiveDateTime, Option<TimeZone>)> {
        let year = i32::try_from(self.year.unwrap_or(1970)).ok()?;
        let date = match self.day_of_year {
            Some(ordinal) => chrono::NaiveDate::from_yo_opt(year, ordinal)?,
            None => chrono::NaiveDate::from_ymd_opt(year, self.month.unwrap_or(1), self.day.unwrap_or(1))?,
        };
        let hour = match (self.hour, self.clock_hour, self.afternoon) {
            (Some(hour), _, _) => hour,
            (None, Some(clock), afternoon) => clock % 12 + if afternoon == Some(true) { 12 } else { 0 },
            (None, None, Some(true)) => 12,
            _ => 0,
        };
        let time = chrono::NaiveTime::from_hms_nano_opt(hour, self.minute.unwrap_or(0), self.second.unwrap_or(0), self.nanos.unwrap_or(0))?;
        Some((NaiveDateTime::new(date, time), self.zone))
    }
}

/// Reads text piece by piece.
struct Reader {
    text: Vec<char>,
    at: usize,
    fields: Fields,
}

impl Reader {
    fn pieces(&mut self, pieces: &[Piece]) -> Option<()> {
        for (i, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Text(expected) => self.literal(expected)?,
                Piece::Optional(inner) => {
                    let (at, fields) = (self.at, self.fields.clone());
                    if self.pieces(inner).is_none() {
                        self.at = at;
                        self.fields = fields;
                    }
                }
                Piece::Field(letter, count) => {
                    let reserved = reserved_digits(&pieces[i + 1..]);
                    self.field(*letter, *count, reserved)?
                }
            }
        }
        Some(())
    }

    fn literal(&mut self, expected: &str) -> Option<()> {
        for c in expected.chars() {
            (self.text.get(self.at) == Some(&c)).then_some(())?;
            self.at += 1;
        }
        Some(())
    }

    /// A number of `min..=max` digits, leaving `reserved` digits for the fixed-width fields right after it.
    fn number(&mut self, min: usize, max: usize, reserved: usize) -> Option<i64> {
        let digits = self.text[self.at..].iter().take_while(|c| c.is_ascii_digit()).count();
        let take = digits.saturating_sub(reserved).min(max);
        (take >= min).then_some(())?;
        let value: String = self.text[self.at..self.at + take].iter().collect();
        self.at += take;
        value.parse().ok()
    }

    /// One of `names` (case-insensitive, the longest that matches); its position.
    fn name(&mut self, names: &[&str]) -> Option<usize> {
        let rest: String = self.text[self.at..].iter().collect::<String>().to_lowercase();
        let (index, name) = names.iter().enumerate().filter(|(_, n)| rest.starts_with(&n.to_lowercase())).max_by_key(|(_, n)| n.len())?;
        self.at += name.chars().count();
        Some(index)
    }

    fn field(&mut self, letter: char, count: usize, reserved: usize) -> Option<()> {
        let small = |count: usize| if count == 1 { (1, 2) } else { (count, count) };
        match letter {
            'y' if count == 2 => {
                let two = self.number(2, 2, reserved)?;
                self.fields.year = Some(2000 + two);
            }
            'y' => self.fields.year = Some(self.number(count, 10, reserved)?),
            'M' | 'L' if count >= 3 => {
                let names: Vec<&str> = if count == 3 { MONTHS.iter().map(|m| &m[..3]).collect() } else { MONTHS.to_vec() };
                self.fields.month = Some(self.name(&names)? as u32 + 1);
            }
            'E' => {
                let names: Vec<&str> = if count == 4 { DAYS.to_vec() } else { DAYS.iter().map(|d| &d[..3]).collect() };
                self.name(&names)?;
            }
            'G' => {
                let names: &[&str] = if count == 4 { &["Anno Domini", "Before Christ"] } else { &["AD", "BC"] };
                self.name(names)?;
            }
            'a' => self.fields.afternoon = Some(self.name(&["AM", "PM"])? == 1),
            'S' => {
                let digits = self.text[self.at..].iter().take_while(|c| c.is_ascii_digit()).count().min(count);
                (digits >= 1).then_some(())?;
                let fraction: String = self.text[self.at..self.at + digits].iter().collect();
                self.at += digits;
                self.fields.nanos = Some(format!("{fraction:0<9}").parse().ok()?);
            }
            'X' | 'x' | 'Z' | 'O' => self.fields.zone = Some(self.offset(letter)?),
            'V' | 'z' => {
                let name: String = self.text[self.at..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '+' | '-')).collect();
                let zone = TimeZone::parse(&name)
                    .or_else(|| ZONE_NAMES.iter().find(|(_, names)| names.contains(&name.as_str())).and_then(|(zone, _)| TimeZone::parse(zone)))?;
                self.at += name.chars().count();
                self.fields.zone = Some(zone);
            }
            'Q' | 'q' => {
                let (min, max) = small(count.min(2));
                self.number(min, max, reserved)?;
            }
            letter => {
                let (min, max) = if letter == 'D' { (count, 3) } else { small(count) };
                let value = u32::try_from(self.number(min, max, reserved)?).ok()?;
                let f = &mut self.fields;
                match letter {
                    'M' | 'L' => f.month = Some(value),
                    'd' => f.day = Some(value),
                    'D' => f.day_of_year = Some(value),
                    'H' => f.hour = Some(value),
                    'k' => f.hour = Some(value % 24),
                    'h' | 'K' => f.clock_hour = Some(value),
                    'm' => f.minute = Some(value),
                    's' => f.second = Some(value),
                    'F' => {}
                    _ => return None,
                }
            }
        }
        Some(())
    }

    /// `Z`, `+08`, `+0800`, `+08:00`, `GMT+8`, …
    fn offset(&mut self, letter: char) -> Option<TimeZone> {
        let rest: String = self.text[self.at..].iter().collect();
        if letter != 'x' && rest.starts_with('Z') {
            self.at += 1;
            return Some(TimeZone::UTC);
        }
        let prefix = if letter == 'O' || (letter == 'Z' && rest.starts_with("GMT")) { "GMT" } else { "" };
        let body = rest.strip_prefix(prefix)?;
        let length = body.chars().take_while(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ':')).count();
        let zone = TimeZone::parse(&body[..length])?;
        self.at += prefix.len() + length;
        Some(zone)
    }
}

/// How many digits the fixed-width numeric fields right after a field take: Java leaves them those digits when
/// numbers are written without separators (`yyyyMMdd`).
fn reserved_digits(rest: &[Piece]) -> usize {
    rest.iter()
        .map_while(|piece| match piece {
            Piece::Field(letter, count) if *count >= 2 && matches!(letter, 'y' | 'M' | 'd' | 'H' | 'h' | 'k' | 'K' | 'm' | 's' | 'D') => Some(*count),
            Piece::Field('S', count) => Some(*count),
            _ => None,
        })
        .sum()
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
        // Spark refuses the narrow (five-letter) forms of names.
        'E' | 'z' | 'Q' | 'q' | 'M' | 'L' => 4,
        'G' | 'X' | 'x' | 'Z' => 5,
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

    fn read(pattern: &str, text: &str) -> Option<String> {
        let (time, zone) = DatetimePattern::parse(pattern).unwrap().read(text)?;
        Some(format!("{time}{}", zone.map(|z| format!(" {}", z.name())).unwrap_or_default()))
    }

    #[test]
    fn text_is_read_as_spark_reads_it() {
        assert_eq!(read("yyyy-MM-dd HH:mm", "2021-02-15 10:00").unwrap(), "2021-02-15 10:00:00");
        assert_eq!(read("yyyyMMdd", "20210215").unwrap(), "2021-02-15 00:00:00");
        assert_eq!(read("yyyy-M-d", "2021-2-5").unwrap(), "2021-02-05 00:00:00");
        assert_eq!(read("MMM dd yyyy", "feb 15 2021").unwrap(), "2021-02-15 00:00:00");
        assert_eq!(read("h:mm a", "3:05 PM").unwrap(), "1970-01-01 15:05:00");
        assert_eq!(read("dd", "16").unwrap(), "1970-01-16 00:00:00");
        assert_eq!(read("yyyy-MM-dd'T'HH:mm:ss.SXXX", "2021-02-15T10:00:00.5+01:00").unwrap(), "2021-02-15 10:00:00.500 +01:00");
        assert_eq!(read("yyyy-MM-dd[ HH:mm]", "2021-02-15").unwrap(), "2021-02-15 00:00:00");
        assert!(read("yyyy-MM-dd", "2021-02-15 10:00").is_none());
        assert!(read("MM/dd", "13/01").is_none());
    }

    #[test]
    fn week_based_letters_are_refused() {
        assert!(DatetimePattern::parse("YYYY").is_err());
        assert!(DatetimePattern::parse("'YYYY'").is_ok());
    }
}
