//! Built-in functions computed one row at a time over [`Value`]s: the long tail of Spark's string, math and date
//! functions, each a few lines of Spark's rules. The functions a course query leans on (`date_trunc`, `hour`,
//! `concat`, …) work a whole Arrow array at a time in the parent module instead.

use arrow::array::ArrayRef;
use chrono::{Datelike, Months, NaiveDate, Timelike, Weekday};

use super::Signature;
use super::datetime::DateTimeFunction;
use super::math::MathFunction;
use super::math::strict_math;
use super::text::TextFunction;
use crate::expr::Expr;
use crate::types::SparkType;
use crate::value::{Value, array_of};
use crate::{EngineError, Result};

/// A function whose value for a row depends on that row's arguments only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PerRowFunction {
    StartsWith,
    EndsWith,
    Contains,
    Left,
    Right,
    Replace,
    Lpad,
    Rpad,
    Ltrim,
    Rtrim,
    Btrim,
    SplitPart,
    Repeat,
    Reverse,
    Instr,
    Locate,
    Ascii,
    Chr,
    Initcap,
    Quote,
    Translate,
    Hex,
    Unhex,
    LuhnCheck,
    Ceil,
    Floor,
    Pmod,
    Sqrt,
    Exp,
    Ln,
    Log10,
    Log2,
    Log,
    Pow,
    Sign,
    Positive,
    Negative,
    Sin,
    Cos,
    Tan,
    Sec,
    Csc,
    Cot,
    Degrees,
    Radians,
    Bround,
    WidthBucket,
    DateAdd,
    DateSub,
    NextDay,
    MakeDate,
    LastDay,
    AddMonths,
    DayOfYear,
    WeekOfYear,
    Quarter,
    Weekday,
    TimestampSeconds,
    UnixDate,
    DateFromUnixDate,
    /// `a div b`: the quotient as a whole number, truncated toward zero.
    IntegralDivide,
    /// `encode(text, charset)`: the text's bytes in that character set.
    Encode,
    /// `decode(bytes, charset)`: the text those bytes spell in that character set.
    Decode,
    /// `to_binary(text[, format])`: bytes from hex digits (the default) or UTF-8 text.
    ToBinary,
    /// `timestampadd(unit, n, ts)` (also `date_add(unit, n, ts)`): `n` units later.
    TimestampAdd,
    /// `timestampdiff(unit, start, end)` (also `datediff(unit, …)`): whole units from start to end.
    TimestampDiff,
    /// `is_valid_utf8(bytes)`: whether the bytes are well-formed UTF-8.
    IsValidUtf8,
    /// `make_valid_utf8(bytes)`: the text, each malformed sequence replaced by U+FFFD.
    MakeValidUtf8,
    /// `validate_utf8(bytes)`: the text, or an error if the bytes are not UTF-8.
    ValidateUtf8,
    /// `try_validate_utf8(bytes)`: the text, or NULL if the bytes are not UTF-8.
    TryValidateUtf8,
    /// `to_number(text, format)`: see [`super::number_format`].
    ToNumber,
    /// `conv(number, from_base, to_base)`: digits in one base written in another (a negative base: signed).
    Conv,
    /// `bin(n)`: the binary digits of a whole number (two's complement below zero).
    Bin,
    /// `octet_length(s)`: the bytes of the text's UTF-8.
    OctetLength,
    /// `bit_length(s)`: eight times `octet_length`.
    BitLength,
    /// `typeof(x)`: the name of the argument's type (`int`, `decimal(10,2)`); the analyzer puts the name in its place.
    TypeOf,
    /// `nanvl(x, y)`: `y` where `x` is NaN (`fillna` on a double column replaces NaN too).
    Nanvl,
    /// `atleastnnonnulls(n, a, b, …)`: whether at least `n` of the values are neither NULL nor NaN (`dropna`).
    AtLeastNNonNulls,
    /// `isnan(x)`: whether a number is NaN (false for NULL).
    IsNan,
    /// `regexp_replace(text, pattern, replacement)`: see [`super::regex`].
    RegexpReplace,
    /// `regexp_extract(text, pattern, group)`.
    RegexpExtract,
    /// `text RLIKE pattern`, `regexp_like(text, pattern)`.
    RLike,
    /// `date ± interval`: months moved as `add_months` moves them, or whole days (not called by name).
    DatePlusInterval,
    /// `timestamp ± interval`: months on the session time zone's calendar, or an exact span (not called by name).
    TimestampPlusInterval,
    Md5,
    Sha1,
    Sha2,
    Crc32,
    Levenshtein,
    Soundex,
    MonthsBetween,
    Trunc,
    FormatNumber,
    /// `date - date`: the days between, as an `interval day` (not called by name).
    SubtractDates,
    /// `timestamp - timestamp`: the span between, as an `interval day to second` (not called by name).
    SubtractTimestamps,
    /// See [`super::math`].
    Math(MathFunction),
    /// See [`super::text`].
    Text(TextFunction),
    /// See [`super::datetime`].
    DateTime(DateTimeFunction),
}

use PerRowFunction::*;

const ALL: [PerRowFunction; 91] = [
    StartsWith, EndsWith, Contains, Left, Right, Replace, Lpad, Rpad, Ltrim, Rtrim, Btrim, SplitPart, Repeat, Reverse,
    Instr, Locate, Ascii, Chr, Initcap, Quote, Translate, Hex, Unhex, LuhnCheck, Ceil, Floor, Pmod, Sqrt, Exp, Ln,
    Log10, Log2, Log, Pow, Sign, Positive, Negative, Sin, Cos, Tan, Sec, Csc, Cot, Degrees, Radians, Bround,
    WidthBucket, DateAdd, DateSub, NextDay, MakeDate, LastDay, AddMonths, DayOfYear, WeekOfYear, Quarter, Weekday,
    TimestampSeconds, UnixDate, DateFromUnixDate, IntegralDivide, Encode, Decode, ToBinary, TimestampAdd, TimestampDiff,
    IsValidUtf8, MakeValidUtf8, ValidateUtf8, TryValidateUtf8, ToNumber, Conv, Bin, OctetLength, BitLength, TypeOf,
    Nanvl, AtLeastNNonNulls, IsNan, RegexpReplace, RegexpExtract, RLike, Md5, Sha1, Sha2, Crc32, Levenshtein, Soundex,
    MonthsBetween, Trunc, FormatNumber,
];

impl PerRowFunction {
    pub fn name(self) -> &'static str {
        match self {
            StartsWith => "startswith",
            EndsWith => "endswith",
            Contains => "contains",
            Left => "left",
            Right => "right",
            Replace => "replace",
            Lpad => "lpad",
            Rpad => "rpad",
            Ltrim => "ltrim",
            Rtrim => "rtrim",
            Btrim => "btrim",
            SplitPart => "split_part",
            Repeat => "repeat",
            Reverse => "reverse",
            Instr => "instr",
            Locate => "locate",
            Ascii => "ascii",
            Chr => "chr",
            Initcap => "initcap",
            Md5 => "md5",
            Sha1 => "sha1",
            Sha2 => "sha2",
            Crc32 => "crc32",
            Levenshtein => "levenshtein",
            Soundex => "soundex",
            MonthsBetween => "months_between",
            Trunc => "trunc",
            FormatNumber => "format_number",
            Quote => "quote",
            Translate => "translate",
            Hex => "hex",
            Unhex => "unhex",
            LuhnCheck => "luhn_check",
            Ceil => "CEIL",
            Floor => "FLOOR",
            Pmod => "pmod",
            Sqrt => "SQRT",
            Exp => "EXP",
            Ln => "ln",
            Log10 => "LOG10",
            Log2 => "LOG2",
            Log => "LOG",
            Pow => "pow",
            Sign => "sign",
            Positive => "positive",
            Negative => "negative",
            Sin => "SIN",
            Cos => "COS",
            Tan => "TAN",
            Sec => "SEC",
            Csc => "CSC",
            Cot => "COT",
            Degrees => "DEGREES",
            Radians => "RADIANS",
            Bround => "bround",
            WidthBucket => "width_bucket",
            DateAdd => "date_add",
            DateSub => "date_sub",
            NextDay => "next_day",
            MakeDate => "make_date",
            LastDay => "last_day",
            AddMonths => "add_months",
            DayOfYear => "dayofyear",
            WeekOfYear => "weekofyear",
            Quarter => "quarter",
            Weekday => "weekday",
            TimestampSeconds => "timestamp_seconds",
            UnixDate => "unix_date",
            DateFromUnixDate => "date_from_unix_date",
            IntegralDivide => "div",
            Encode => "encode",
            Decode => "decode",
            ToBinary => "to_binary",
            TimestampAdd => "timestampadd",
            TimestampDiff => "timestampdiff",
            IsValidUtf8 => "is_valid_utf8",
            MakeValidUtf8 => "make_valid_utf8",
            ValidateUtf8 => "validate_utf8",
            TryValidateUtf8 => "try_validate_utf8",
            ToNumber => "to_number",
            Conv => "conv",
            Bin => "bin",
            OctetLength => "octet_length",
            TypeOf => "typeof",
            Nanvl => "nanvl",
            AtLeastNNonNulls => "atleastnnonnulls",
            IsNan => "isnan",
            RegexpReplace => "regexp_replace",
            RegexpExtract => "regexp_extract",
            RLike => "RLIKE",
            BitLength => "bit_length",
            DatePlusInterval => "date_add_interval",
            TimestampPlusInterval => "timestamp_add_interval",
            SubtractDates => "subtract_dates",
            SubtractTimestamps => "subtract_timestamps",
            Math(function) => function.name(),
            Text(function) => function.name(),
            DateTime(function) => function.name(),
        }
    }

    /// The function called `name` (lower-case), with Spark's other names for it.
    pub fn by_name(name: &str) -> Option<Self> {
        let alias = match name {
            "ceiling" => Some(Ceil),
            "power" => Some(Pow),
            "signum" => Some(Sign),
            "position" => Some(Locate),
            "char" => Some(Chr),
            "dateadd" => Some(DateAdd),
            "sha" => Some(Sha1),
            _ => None,
        };
        alias
            .or_else(|| ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name)))
            .or_else(|| MathFunction::by_name(name).map(Math))
            .or_else(|| TextFunction::by_name(name).map(Text))
            .or_else(|| DateTimeFunction::by_name(name).map(DateTime))
    }

    /// The name plans show where it is not the SQL name: the string predicates print as Spark's class names.
    pub fn plan_name(self) -> Option<&'static str> {
        Some(match self {
            StartsWith => "StartsWith",
            EndsWith => "EndsWith",
            Contains => "Contains",
            _ => return None,
        })
    }

    pub fn arity(self) -> (usize, usize) {
        match self {
            Replace | Locate | Lpad | Rpad => (2, 3),
            Ltrim | Rtrim | Btrim | Bround | Log => (1, 2),
            Instr => (2, 4),
            // `ceil(x, scale)`: rounded up at a decimal place (Spark's RoundCeil / RoundFloor).
            Ceil | Floor => (1, 2),
            StartsWith | EndsWith | Contains | Left | Right | Repeat | Pmod | Pow | DateAdd | DateSub | NextDay
            | AddMonths | IntegralDivide | Encode | Decode | ToNumber | DatePlusInterval | TimestampPlusInterval
            | SubtractDates | SubtractTimestamps => (2, 2),
            ToBinary => (1, 2),
            SplitPart | MakeDate | Translate | TimestampAdd | TimestampDiff | Conv => (3, 3),
            Sha2 | Trunc | FormatNumber => (2, 2),
            Levenshtein | MonthsBetween => (2, 3),
            WidthBucket => (4, 4),
            Nanvl | RLike => (2, 2),
            RegexpReplace => (3, 4),
            RegexpExtract => (2, 3),
            AtLeastNNonNulls => (1, usize::MAX),
            Math(function) => function.arity(),
            Text(function) => function.arity(),
            DateTime(function) => function.arity(),
            _ => (1, 1),
        }
    }

    /// The types the arguments are cast to.
    pub fn signature(self, args: &[Expr]) -> Signature {
        use SparkType::*;
        let first = args.first().map(Expr::data_type).unwrap_or(Null);
        let numeric = if first.is_numeric() { first.clone() } else { Double };
        let all_binary = !args.is_empty() && args.iter().map(Expr::data_type).all(|t| matches!(t, Binary | Null));
        Signature::Exact(match self {
            StartsWith | EndsWith | Contains if all_binary => vec![Binary, Binary],
            StartsWith | EndsWith | Contains => vec![String, String],
            Lpad | Rpad if first == Binary && args.get(2).is_none_or(|pad| matches!(pad.data_type(), Binary | Null)) => {
                [Binary, Integer, Binary][..args.len()].to_vec()
            }
            Left | Right | Repeat => vec![String, Integer],
            Replace | Translate => vec![String; args.len()],
            Lpad | Rpad => [String, Integer, String][..args.len()].to_vec(),
            Ltrim | Rtrim | Btrim => vec![String; args.len()],
            SplitPart => vec![String, String, Integer],
            Reverse | Ascii | Initcap | Quote | LuhnCheck | Unhex | Soundex => vec![String],
            Md5 | Sha1 | Crc32 => vec![Binary],
            Sha2 => vec![Binary, Integer],
            Levenshtein => [String, String, Integer][..args.len().min(3)].to_vec(),
            MonthsBetween => [Timestamp, Timestamp, Boolean][..args.len().min(3)].to_vec(),
            Trunc => vec![Date, String],
            FormatNumber => vec![numeric.clone(), Integer],
            Instr => [String, String, Integer, Integer][..args.len()].to_vec(),
            Locate => [String, String, Integer][..args.len()].to_vec(),
            Chr => vec![Long],
            Hex => vec![match first {
                Byte | Short | Integer | Long => Long,
                Binary => Binary,
                _ => String,
            }],
            // `+interval '1' day` is the interval itself.
            Positive | Negative if matches!(first, YearMonthInterval { .. } | DayTimeInterval { .. }) => vec![first.clone()],
            Ceil | Floor if args.len() == 2 => vec![decimal_for_rounding(&first), Integer],
            Ceil | Floor | Positive | Negative => vec![numeric],
            Pmod => return Signature::Common,
            IntegralDivide => return if args.iter().all(|a| a.data_type().is_numeric() || a.data_type() == Null) {
                Signature::Common
            } else {
                Signature::Exact(vec![Long, Long])
            },
            Sqrt | Exp | Ln | Log10 | Log2 | Sign | Sin | Cos | Tan | Sec | Csc | Cot | Degrees | Radians => vec![Double],
            Log | Pow => vec![Double; args.len()],
            Bround => [numeric, Integer][..args.len()].to_vec(),
            WidthBucket => vec![Double, Double, Double, Long],
            DateAdd | DateSub => return Signature::DateAndDays,
            AddMonths => vec![Date, Integer],
            NextDay => vec![Date, String],
            MakeDate => vec![Integer, Integer, Integer],
            LastDay | DayOfYear | WeekOfYear | Quarter | Weekday | UnixDate => vec![Date],
            TimestampSeconds => vec![if matches!(first, Float | Double | Decimal { .. }) { first } else { Long }],
            DateFromUnixDate => vec![Integer],
            Encode | ToBinary => vec![String; args.len()],
            Decode => vec![Binary, String],
            IsValidUtf8 | MakeValidUtf8 | ValidateUtf8 | TryValidateUtf8 => vec![Binary],
            ToNumber => vec![String, String],
            Conv => vec![String, Integer, Integer],
            Bin => vec![Long],
            OctetLength | BitLength => vec![String],
            DatePlusInterval | TimestampPlusInterval | SubtractDates | SubtractTimestamps | TypeOf | AtLeastNNonNulls => {
                args.iter().map(Expr::data_type).collect()
            }
            Nanvl => vec![if first == Float { Float } else { Double }; 2],
            IsNan => vec![if first == Float { Float } else { Double }],
            RegexpReplace => [String, String, String, Integer][..args.len().min(4)].to_vec(),
            RegexpExtract => [String, String, Integer][..args.len().min(3)].to_vec(),
            RLike => vec![String, String],
            TimestampAdd => vec![String, Long, Timestamp],
            TimestampDiff => vec![String, Timestamp, Timestamp],
            Math(function) => function.argument_types(first),
            Text(function) => function.argument_types(&args.iter().map(Expr::data_type).collect::<Vec<_>>()),
            DateTime(function) => function.argument_types(args.len()),
        })
    }

    /// The result type for arguments of (already coerced) types `args`.
    pub fn return_type(self, args: &[SparkType]) -> SparkType {
        use SparkType::*;
        let first = args.first().cloned().unwrap_or(Null);
        match self {
            StartsWith | EndsWith | Contains | LuhnCheck | IsValidUtf8 => Boolean,
            MakeValidUtf8 | ValidateUtf8 | TryValidateUtf8 | TypeOf => String,
            AtLeastNNonNulls | IsNan | RLike => Boolean,
            RegexpReplace | RegexpExtract => String,
            Nanvl => first,
            DatePlusInterval => Date,
            TimestampPlusInterval => Timestamp,
            SubtractDates => DayTimeInterval { start: crate::interval::DAY, end: crate::interval::DAY },
            SubtractTimestamps => DayTimeInterval { start: crate::interval::DAY, end: crate::interval::SECOND },
            Lpad | Rpad if first == Binary => Binary,
            Left | Right | Replace | Lpad | Rpad | Ltrim | Rtrim | Btrim | SplitPart | Repeat | Reverse | Chr | Initcap
            | Quote | Translate | Hex | Md5 | Sha1 | Sha2 | Soundex | FormatNumber => String,
            Crc32 => Long,
            Math(function) => function.return_type(first),
            Text(function) => function.return_type(),
            DateTime(function) => function.return_type(),
            Levenshtein => Integer,
            MonthsBetween => Double,
            Trunc => Date,
            Unhex | Encode | ToBinary => Binary,
            Decode => String,
            Instr | Locate | Ascii | DayOfYear | WeekOfYear | Quarter | Weekday | UnixDate | OctetLength | BitLength => Integer,
            Conv | Bin => String,
            Ceil | Floor => match first {
                Decimal { precision, scale } => Decimal { precision: (precision as i32 - scale as i32 + 1).clamp(1, 38) as u8, scale: 0 },
                _ => Long,
            },
            Pmod | Positive | Negative | Bround => first,
            WidthBucket | IntegralDivide | TimestampDiff => Long,
            DateAdd | DateSub | NextDay | MakeDate | LastDay | AddMonths | DateFromUnixDate => Date,
            TimestampSeconds | TimestampAdd => Timestamp,
            _ => Double,
        }
    }

    /// `nanvl`, `atleastnnonnulls`, `elt` and `format_string` are given NULL arguments; every other function is
    /// NULL for them.
    fn sees_nulls(self) -> bool {
        matches!(self, Nanvl | AtLeastNNonNulls | IsNan) || matches!(self, Text(text) if text.sees_nulls())
    }

    /// Runs the function on each row's arguments; a NULL argument makes a NULL result (but see `sees_nulls`).
    pub fn evaluate(self, args: &[ArrayRef], types: &[SparkType], rows: usize, declared: &SparkType) -> Result<ArrayRef> {
        let result_type = match (self, args.get(1)) {
            // The scale is a constant; the analyzer worked the decimal type out from it.
            (Ceil | Floor, Some(_)) => declared.clone(),
            // The format is a constant: its first value says the decimal type.
            (ToNumber, Some(formats)) if rows > 0 => match Value::from_array(formats.as_ref(), 0)? {
                Value::String(format) => super::number_format::result_type(&format)?,
                _ => self.return_type(types),
            },
            _ => self.return_type(types),
        };
        let values = super::row_by_row(args, rows, |row_args| {
            if !self.sees_nulls() && row_args.iter().any(Value::is_null) {
                Ok(Value::Null)
            } else {
                self.apply(row_args, result_type.clone())
            }
        })?;
        Ok(array_of(&values, &result_type))
    }

    fn apply(self, args: &[Value], result_type: SparkType) -> Result<Value> {
        let text = |i: usize| -> &str { if let Value::String(s) = &args[i] { s } else { "" } };
        let int = |i: usize| args.get(i).and_then(Value::as_i64);
        let real = |i: usize| args[i].as_f64().unwrap_or(f64::NAN);
        let date = |i: usize| match &args[i] {
            Value::Date(days) => naive_date(*days),
            _ => None,
        };
        Ok(match self {
            StartsWith | EndsWith | Contains => match (&args[0], &args[1]) {
                (Value::Binary(bytes), Value::Binary(part)) => Value::Boolean(match self {
                    StartsWith => bytes.starts_with(part),
                    EndsWith => bytes.ends_with(part),
                    _ => part.is_empty() || bytes.windows(part.len()).any(|w| w == part.as_slice()),
                }),
                _ => Value::Boolean(match self {
                    StartsWith => text(0).starts_with(text(1)),
                    EndsWith => text(0).ends_with(text(1)),
                    _ => text(0).contains(text(1)),
                }),
            },
            Left => Value::String(text(0).chars().take(int(1).unwrap_or(0).max(0) as usize).collect()),
            Right => {
                let chars: Vec<char> = text(0).chars().collect();
                let n = (int(1).unwrap_or(0).max(0) as usize).min(chars.len());
                Value::String(chars[chars.len() - n..].iter().collect())
            }
            Replace if args.len() == 2 || text(1).is_empty() => {
                Value::String(if text(1).is_empty() { text(0).to_string() } else { text(0).replace(text(1), "") })
            }
            Replace => Value::String(text(0).replace(text(1), text(2))),
            Lpad | Rpad => match (&args[0], args.get(2)) {
                (Value::Binary(bytes), Some(Value::Binary(padding))) => {
                    Value::Binary(pad_items(bytes, int(1).unwrap_or(0), padding, self == Lpad))
                }
                _ => {
                    let (chars, padding): (Vec<char>, Vec<char>) = (text(0).chars().collect(), text(2).chars().collect());
                    Value::String(pad_items(&chars, int(1).unwrap_or(0), &padding, self == Lpad).into_iter().collect())
                }
            },
            Ltrim | Rtrim | Btrim => {
                let set: Vec<char> = if args.len() == 2 { text(1).chars().collect() } else { vec![' '] };
                let trimmed = match self {
                    Ltrim => text(0).trim_start_matches(set.as_slice()),
                    Rtrim => text(0).trim_end_matches(set.as_slice()),
                    _ => text(0).trim_matches(set.as_slice()),
                };
                Value::String(trimmed.to_string())
            }
            SplitPart => split_part(text(0), text(1), int(2).unwrap_or(1))?,
            Repeat => Value::String(text(0).repeat(int(1).unwrap_or(0).max(0) as usize)),
            Reverse => Value::String(text(0).chars().rev().collect()),
            Instr => Value::Integer(instr(text(0), text(1), int(2).unwrap_or(1), int(3).unwrap_or(1))?),
            Locate => Value::Integer(locate(text(0), text(1), int(2).unwrap_or(1))),
            Ascii => Value::Integer(text(0).chars().next().map_or(0, |c| c as i32)),
            Chr => {
                let code = int(0).unwrap_or(0);
                Value::String(if code < 0 { String::new() } else { char::from_u32((code % 256) as u32).map(String::from).unwrap_or_default() })
            }
            Initcap => Value::String(initcap(text(0))),
            Quote => Value::String(format!("'{}'", text(0).replace('\'', "\\'"))),
            Translate => Value::String(translate(text(0), text(1), text(2))),
            Hex => Value::String(match &args[0] {
                Value::Long(v) => format!("{v:X}"),
                Value::Binary(bytes) => bytes.iter().map(|b| format!("{b:02X}")).collect(),
                _ => text(0).bytes().map(|b| format!("{b:02X}")).collect(),
            }),
            Unhex => unhex(text(0)).map_or(Value::Null, Value::Binary),
            LuhnCheck => Value::Boolean(luhn_check(text(0))),
            Ceil | Floor if args.len() == 2 => round_at_scale(&args[0], int(1).unwrap_or(0), self == Ceil, result_type),
            Ceil | Floor => round_to_whole(&args[0], self == Ceil, result_type)?,
            Pmod => pmod(&args[0], &args[1])?,
            Sqrt => Value::Double(real(0).sqrt()),
            // Spark computes these with Java's StrictMath, which is fdlibm: `libm` (FreeBSD's msun) has the same `exp`
            // and `pow` to the last digit (`exp(1)` is 2.7182818284590455 there), `strict_math` the logarithms.
            Exp => Value::Double(libm::exp(real(0))),
            Ln | Log10 | Log2 if real(0) <= 0.0 => Value::Null,
            Ln => Value::Double(strict_math::log(real(0))),
            Log10 => Value::Double(strict_math::log10(real(0))),
            // As Spark computes it: log(x) / log(2).
            Log2 => Value::Double(strict_math::log(real(0)) / strict_math::log(2.0)),
            Log if args.len() == 1 => if real(0) <= 0.0 { Value::Null } else { Value::Double(strict_math::log(real(0))) },
            Log if real(0) <= 0.0 || real(1) <= 0.0 => Value::Null,
            Log => Value::Double(strict_math::log(real(1)) / strict_math::log(real(0))),
            Pow => Value::Double(libm::pow(real(0), real(1))),
            Sign => Value::Double(if real(0) > 0.0 { 1.0 } else if real(0) < 0.0 { -1.0 } else { real(0) }),
            Positive => args[0].clone(),
            Negative => negate(&args[0])?,
            Sin => Value::Double(real(0).sin()),
            Cos => Value::Double(real(0).cos()),
            Tan => Value::Double(real(0).tan()),
            Sec => Value::Double(1.0 / real(0).cos()),
            Csc => Value::Double(1.0 / real(0).sin()),
            Cot => Value::Double(1.0 / real(0).tan()),
            Degrees => Value::Double(real(0).to_degrees()),
            Radians => Value::Double(real(0).to_radians()),
            Bround => bround(&args[0], int(1).unwrap_or(0))?,
            WidthBucket => width_bucket(real(0), real(1), real(2), int(3).unwrap_or(0)),
            DateAdd | DateSub => {
                let days = int(1).unwrap_or(0) * if self == DateSub { -1 } else { 1 };
                days_value(date(0).and_then(|d| d.checked_add_signed(chrono::Duration::days(days))))
            }
            NextDay => next_day(date(0), text(1))?,
            MakeDate => make_date(int(0).unwrap_or(0), int(1).unwrap_or(0), int(2).unwrap_or(0))?,
            LastDay => days_value(date(0).and_then(last_day_of)),
            AddMonths => {
                let months = int(1).unwrap_or(0);
                let moved = date(0).and_then(|d| {
                    if months >= 0 {
                        d.checked_add_months(Months::new(months as u32))
                    } else {
                        d.checked_sub_months(Months::new(months.unsigned_abs() as u32))
                    }
                });
                days_value(moved)
            }
            DayOfYear => Value::Integer(date(0).map_or(0, |d| d.ordinal() as i32)),
            WeekOfYear => Value::Integer(date(0).map_or(0, |d| d.iso_week().week() as i32)),
            Quarter => Value::Integer(date(0).map_or(0, |d| (d.month0() / 3 + 1) as i32)),
            Weekday => Value::Integer(date(0).map_or(0, |d| d.weekday().num_days_from_monday() as i32)),
            TimestampSeconds => timestamp_seconds(&args[0])?,
            UnixDate => Value::Integer(args[0].as_i64().unwrap_or(0) as i32),
            DateFromUnixDate => Value::Date(int(0).unwrap_or(0) as i32),
            IntegralDivide => integral_divide(&args[0], &args[1])?,
            Encode => Value::Binary(crate::functions::charset::encode(text(0), text(1))?),
            Decode => match &args[0] {
                Value::Binary(bytes) => Value::String(crate::functions::charset::decode(bytes, text(1))?),
                _ => Value::Null,
            },
            ToBinary => to_binary(text(0), if args.len() == 2 { text(1) } else { "hex" })?,
            TimestampAdd => timestamp_add(&datetime_unit(text(0), "TIMESTAMPADD")?, int(1).unwrap_or(0), int(2).unwrap_or(0))?,
            TimestampDiff => timestamp_diff(&datetime_unit(text(0), "TIMESTAMPDIFF")?, int(1).unwrap_or(0), int(2).unwrap_or(0))?,
            IsValidUtf8 | MakeValidUtf8 | ValidateUtf8 | TryValidateUtf8 => {
                let Value::Binary(bytes) = &args[0] else { return Ok(Value::Null) };
                utf8(self, bytes)?
            }
            ToNumber => super::number_format::to_number(text(0), text(1))?,
            Conv => conv(text(0), int(1).unwrap_or(10), int(2).unwrap_or(10))?,
            Bin => Value::String(format!("{:b}", int(0).unwrap_or(0))),
            OctetLength => Value::Integer(text(0).len() as i32),
            TypeOf => Value::String(args[0].spark_type().simple_string()),
            IsNan => Value::Boolean(args[0].as_f64().is_some_and(f64::is_nan)),
            RegexpReplace => Value::String(super::regex::replace(text(0), text(1), text(2), int(3).unwrap_or(1))?),
            RegexpExtract => Value::String(super::regex::extract(text(0), text(1), int(2).unwrap_or(1))?),
            RLike => Value::Boolean(super::regex::matches(text(0), text(1))?),
            Nanvl => match &args[0] {
                Value::Double(x) if x.is_nan() => args[1].clone(),
                Value::Float(x) if x.is_nan() => args[1].clone(),
                other => other.clone(),
            },
            AtLeastNNonNulls => {
                let present = args[1..].iter().filter(|v| !v.is_null() && !v.as_f64().is_some_and(f64::is_nan)).count();
                Value::Boolean(present as i64 >= int(0).unwrap_or(0))
            }
            BitLength => Value::Integer(text(0).len() as i32 * 8),
            Md5 | Sha1 | Sha2 | Crc32 => {
                let Value::Binary(bytes) = &args[0] else { return Ok(Value::Null) };
                match self {
                    Md5 => Value::String(super::digests::md5(bytes)),
                    Sha1 => Value::String(super::digests::sha1(bytes)),
                    Sha2 => super::digests::sha2(bytes, int(1).unwrap_or(0)).map_or(Value::Null, Value::String),
                    _ => Value::Long(super::digests::crc32(bytes)),
                }
            }
            Levenshtein => Value::Integer(super::spelling::levenshtein(text(0), text(1), int(2))),
            Soundex => Value::String(super::spelling::soundex(text(0))),
            MonthsBetween => {
                let round_off = !matches!(args.get(2), Some(Value::Boolean(false)));
                Value::Double(months_between(int(0).unwrap_or(0), int(1).unwrap_or(0), round_off))
            }
            Trunc => days_value(date(0).and_then(|d| truncated_date(d, text(1)))),
            FormatNumber => match usize::try_from(int(1).unwrap_or(-1)) {
                Ok(decimals) => super::number_format::format_number(&args[0], decimals).map_or(Value::Null, Value::String),
                Err(_) => Value::Null,
            },
            DatePlusInterval | TimestampPlusInterval | SubtractDates | SubtractTimestamps => {
                let result = date_time_arithmetic(self, &args[0], &args[1]);
                result.map_err(|_| timestamp_overflow())?
            }
            Math(function) => function.apply(args),
            Text(function) => function.apply(args, crate::query_settings::ansi())?,
            DateTime(function) => function.apply(args, crate::query_settings::ansi())?,
        })
    }
}

/// `months_between(t1, t2)`: whole months when both fall on the same day of the month (or both on a month's last
/// day), else the months plus the rest counted in 31-day months — Spark's (Hive's) rule, rounded to 8 digits.
fn months_between(micros1: i64, micros2: i64, round_off: bool) -> f64 {
    let zone = crate::time_zone::current();
    let (Some(t1), Some(t2)) = (zone.local(micros1), zone.local(micros2)) else { return f64::NAN };
    let last_day = |d: NaiveDate| last_day_of(d) == Some(d);
    let month_diff = ((t1.year() * 12 + t1.month() as i32) - (t2.year() * 12 + t2.month() as i32)) as f64;
    if t1.day() == t2.day() || (last_day(t1.date()) && last_day(t2.date())) {
        return month_diff;
    }
    let seconds_of_day = |t: chrono::NaiveDateTime| t.time().num_seconds_from_midnight() as i64;
    let seconds = (t1.day() as i64 - t2.day() as i64) * 86_400 + seconds_of_day(t1) - seconds_of_day(t2);
    let diff = month_diff + seconds as f64 / (31.0 * 86_400.0);
    if round_off { (diff * 1e8).round() / 1e8 } else { diff }
}

/// The last day of `date`'s month.
fn last_day_of(date: NaiveDate) -> Option<NaiveDate> {
    date.with_day(1)?.checked_add_months(Months::new(1))?.pred_opt()
}

/// `trunc(date, unit)`: the first day of its year, quarter, month or (Monday) week; NULL for another unit.
fn truncated_date(date: NaiveDate, unit: &str) -> Option<NaiveDate> {
    match unit.to_ascii_lowercase().as_str() {
        "year" | "yyyy" | "yy" => date.with_ordinal(1),
        "quarter" => date.with_day(1)?.with_month(date.month0() / 3 * 3 + 1),
        "month" | "mon" | "mm" => date.with_day(1),
        "week" => date.checked_sub_signed(chrono::Duration::days(date.weekday().num_days_from_monday() as i64)),
        _ => None,
    }
}

fn naive_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(crate::display::DAYS_FROM_CE_TO_UNIX_EPOCH)?)
}

fn days_value(date: Option<NaiveDate>) -> Value {
    date.map_or(Value::Null, |d| Value::Date(d.num_days_from_ce() - crate::display::DAYS_FROM_CE_TO_UNIX_EPOCH))
}

/// `lpad`/`rpad`: `items` (characters or bytes) cut or padded with `padding` repeated to `length` items.
fn pad_items<T: Clone>(items: &[T], length: i64, padding: &[T], left: bool) -> Vec<T> {
    let length = length.max(0) as usize;
    if items.len() >= length || padding.is_empty() {
        return items[..length.min(items.len())].to_vec();
    }
    let fill = padding.iter().cycle().take(length - items.len()).cloned();
    if left { fill.chain(items.iter().cloned()).collect() } else { items.iter().cloned().chain(fill).collect() }
}

/// `split_part(text, delimiter, n)`: the `n`th field (from the end when negative); `''` past the last.
fn split_part(text: &str, delimiter: &str, n: i64) -> Result<Value> {
    if n == 0 {
        return Err(EngineError::Runtime(
            "[INVALID_INDEX_OF_ZERO] The index 0 is invalid. An index shall be either < 0 or > 0 (the first element \
             has index 1). SQLSTATE: 22003"
                .into(),
        ));
    }
    let parts: Vec<&str> = if delimiter.is_empty() { vec![text] } else { text.split(delimiter).collect() };
    let index = if n > 0 { n - 1 } else { parts.len() as i64 + n };
    Ok(Value::String(usize::try_from(index).ok().and_then(|i| parts.get(i)).map_or("", |p| p).to_string()))
}

/// `locate(needle, haystack, from)`: the 1-based character position of the first match at or after `from`; 0 if
/// none.
/// `instr(s, sub, start, occurrence)`: the 1-based position of `sub`'s `occurrence`-th match in `s`, matches
/// overlapping; a negative `start` counts from the end and searches backwards, as Spark's (and Oracle's) INSTR.
fn instr(haystack: &str, needle: &str, start: i64, occurrence: i64) -> Result<i32> {
    if occurrence < 1 {
        return Err(EngineError::Runtime(format!(
            "[INVALID_PARAMETER_VALUE.OCCURRENCE] The value of parameter(s) `occurrence` in `instr` is invalid: \
             expects a positive integer, but got {occurrence}. SQLSTATE: 22023"
        )));
    }
    if needle.is_empty() {
        return Ok(1);
    }
    let (chars, wanted): (Vec<char>, Vec<char>) = (haystack.chars().collect(), needle.chars().collect());
    let length = chars.len() as i64;
    let matches_at = |i: usize| chars[i..].starts_with(&wanted);
    let candidates: Box<dyn Iterator<Item = usize>> = match start {
        0 => return Ok(0),
        s if s > 0 => Box::new((s - 1).min(length) as usize..chars.len()),
        s => match length + s {
            last if last < 0 => return Ok(0),
            last => Box::new((0..=last as usize).rev()),
        },
    };
    Ok(candidates.filter(|&i| matches_at(i)).nth(occurrence as usize - 1).map_or(0, |i| i as i32 + 1))
}

fn locate(needle: &str, haystack: &str, from: i64) -> i32 {
    if from < 1 {
        return 0;
    }
    let skip = (from - 1) as usize;
    let chars: Vec<char> = haystack.chars().collect();
    if skip > chars.len() {
        return 0;
    }
    let rest: String = chars[skip..].iter().collect();
    rest.find(needle).map_or(0, |byte| (skip + rest[..byte].chars().count() + 1) as i32)
}

fn initcap(text: &str) -> String {
    let mut result = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            result.extend(c.to_uppercase());
        } else {
            result.extend(c.to_lowercase());
        }
        start = c == ' ';
    }
    result
}

fn translate(text: &str, from: &str, to: &str) -> String {
    let to: Vec<char> = to.chars().collect();
    let from: Vec<char> = from.chars().collect();
    text.chars()
        .filter_map(|c| match from.iter().position(|f| *f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

/// `unhex('4A')` (and SQL's `X'4A'`): the bytes the hex digits spell (an odd count gets a leading 0); `None` for
/// anything else.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let padded = if text.len() % 2 == 1 { format!("0{text}") } else { text.to_string() };
    (0..padded.len()).step_by(2).map(|i| u8::from_str_radix(padded.get(i..i + 2)?, 16).ok()).collect()
}

/// The Luhn checksum test that card numbers pass: digits only, every second one from the right doubled.
fn luhn_check(text: &str) -> bool {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = text
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let digit = u32::from(b - b'0');
            if i % 2 == 1 { if digit * 2 > 9 { digit * 2 - 9 } else { digit * 2 } } else { digit }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The decimal Spark rounds a number as for `ceil(x, scale)` / `floor(x, scale)`: a double as decimal(30, 15), a
/// float as decimal(14, 7), an integer with all its digits.
fn decimal_for_rounding(data_type: &SparkType) -> SparkType {
    let (precision, scale) = match data_type {
        SparkType::Decimal { precision, scale } => (*precision, *scale),
        SparkType::Byte => (3, 0),
        SparkType::Short => (5, 0),
        SparkType::Integer => (10, 0),
        SparkType::Long => (20, 0),
        SparkType::Float => (14, 7),
        _ => (30, 15),
    };
    SparkType::Decimal { precision, scale }
}

/// The type of `ceil(x, scale)` for x a decimal(p, s): decimal(p − s + scale + 1, scale), or decimal(p − s + 1, 0)
/// for a negative scale — room for the carry.
pub fn rounded_at_scale_type(precision: u8, scale: i8, to: i32) -> SparkType {
    let whole_digits = i32::from(precision) - i32::from(scale) + 1;
    let (precision, scale) = if to < 0 { (whole_digits, 0) } else { (whole_digits + to, to.min(38)) };
    SparkType::Decimal { precision: precision.clamp(1, 38) as u8, scale: scale as i8 }
}

/// A decimal rounded up (or down) to `to` decimal places; a negative `to` rounds to tens, hundreds, ….
fn round_at_scale(value: &Value, to: i64, up: bool, result_type: SparkType) -> Value {
    let (Value::Decimal { value, scale, .. }, SparkType::Decimal { precision, scale: result_scale }) = (value, &result_type) else {
        return Value::Null;
    };
    let dropped = i64::from(*scale) - to;
    let unit = 10i128.pow(dropped.clamp(0, 38) as u32);
    let mut units = value.div_euclid(unit);
    if up && value.rem_euclid(unit) != 0 {
        units += 1;
    }
    // Back to the result's scale: for a negative `to`, the units are tens (hundreds, …) to be written out.
    let rounded = if dropped > 0 { units * 10i128.pow((i64::from(*result_scale) - to).clamp(0, 38) as u32) } else { value * 10i128.pow((i64::from(*result_scale) - i64::from(*scale)).clamp(0, 38) as u32) };
    Value::Decimal { value: rounded, precision: *precision, scale: *result_scale }
}

fn round_to_whole(value: &Value, up: bool, result_type: SparkType) -> Result<Value> {
    Ok(match value {
        Value::Decimal { value, scale, .. } => {
            let unit = 10i128.pow((*scale).max(0) as u32);
            let down = value.div_euclid(unit);
            let whole = if up && value.rem_euclid(unit) != 0 { down + 1 } else { down };
            match result_type {
                SparkType::Decimal { precision, scale } => Value::Decimal { value: whole, precision, scale },
                _ => Value::Long(whole as i64),
            }
        }
        other => match other.as_i64() {
            Some(whole) => Value::Long(whole),
            None => {
                let v = other.as_f64().unwrap_or(f64::NAN);
                Value::Long(if up { v.ceil() } else { v.floor() } as i64)
            }
        },
    })
}

/// `pmod(a, b)`: the remainder made non-negative for a positive divisor.
fn pmod(a: &Value, b: &Value) -> Result<Value> {
    if b.as_f64() == Some(0.0) {
        return Err(EngineError::Runtime(
            "[REMAINDER_BY_ZERO] Remainder by zero. Use `try_mod` to tolerate divisor being 0 and return NULL instead. \
             If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22012"
                .into(),
        ));
    }
    let whole = |a: i64, b: i64| {
        let r = a % b;
        if r < 0 { (r + b) % b } else { r }
    };
    Ok(match (a, b) {
        (Value::Byte(a), Value::Byte(b)) => Value::Byte(whole(i64::from(*a), i64::from(*b)) as i8),
        (Value::Short(a), Value::Short(b)) => Value::Short(whole(i64::from(*a), i64::from(*b)) as i16),
        (Value::Integer(a), Value::Integer(b)) => Value::Integer(whole(i64::from(*a), i64::from(*b)) as i32),
        (Value::Long(a), Value::Long(b)) => Value::Long(whole(*a, *b)),
        (Value::Decimal { value: a, precision, scale }, Value::Decimal { value: b, .. }) => {
            let r = a % b;
            Value::Decimal { value: if r < 0 { (r + b) % b } else { r }, precision: *precision, scale: *scale }
        }
        (a, b) => {
            let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            let r = a % b;
            let r = if r < 0.0 { (r + b) % b } else { r };
            Value::Double(r)
        }
    })
}

fn negate(value: &Value) -> Result<Value> {
    let overflow = || EngineError::Runtime(
        "[ARITHMETIC_OVERFLOW] integer overflow. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass \
         this error. SQLSTATE: 22003"
            .into(),
    );
    Ok(match value {
        Value::Byte(v) => Value::Byte(v.checked_neg().ok_or_else(overflow)?),
        Value::Short(v) => Value::Short(v.checked_neg().ok_or_else(overflow)?),
        Value::Integer(v) => Value::Integer(v.checked_neg().ok_or_else(overflow)?),
        Value::Long(v) => Value::Long(v.checked_neg().ok_or_else(overflow)?),
        Value::Float(v) => Value::Float(-v),
        Value::Double(v) => Value::Double(-v),
        Value::Decimal { value, precision, scale } => Value::Decimal { value: -value, precision: *precision, scale: *scale },
        other => other.clone(),
    })
}

/// `bround(x, d)`: rounds half to even at `d` decimal places.
fn bround(value: &Value, places: i64) -> Result<Value> {
    let overflow = || EngineError::Runtime(
        "[ARITHMETIC_OVERFLOW] Overflow. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this \
         error. SQLSTATE: 22003"
            .into(),
    );
    Ok(match value {
        Value::Decimal { value, precision, scale } => {
            let drop = i64::from(*scale) - places;
            if drop <= 0 {
                return Ok(Value::Decimal { value: *value, precision: *precision, scale: *scale });
            }
            let rounded = round_half_even(*value, 10i128.pow(drop.min(38) as u32));
            Value::Decimal { value: rounded, precision: *precision, scale: *scale }
        }
        Value::Double(v) => {
            let factor = 10f64.powi(places as i32);
            let scaled = v * factor;
            let rounded = scaled.round();
            let even = if (scaled - scaled.trunc()).abs() == 0.5 { 2.0 * (scaled / 2.0).round() } else { rounded };
            Value::Double(even / factor)
        }
        other => match other.as_i64() {
            Some(whole) if places < 0 => {
                let rounded = round_half_even(i128::from(whole), 10i128.pow((-places).min(38) as u32));
                match other {
                    Value::Byte(_) => Value::Byte(i8::try_from(rounded).map_err(|_| overflow())?),
                    Value::Short(_) => Value::Short(i16::try_from(rounded).map_err(|_| overflow())?),
                    Value::Integer(_) => Value::Integer(i32::try_from(rounded).map_err(|_| overflow())?),
                    _ => Value::Long(i64::try_from(rounded).map_err(|_| overflow())?),
                }
            }
            _ => other.clone(),
        },
    })
}

/// `conv(text, from, to)` as Spark's NumberConverter: the digits are read as an unsigned 64-bit number (up to the
/// first character that is not a digit of the base; a leading `-` negates it in two's complement) and written in
/// base |to|, signed when `to` is negative. A base outside 2..=36 gives NULL; a number past 64 bits overflows.
fn conv(text: &str, from: i64, to: i64) -> Result<Value> {
    let (from_base, to_base) = (from.unsigned_abs(), to.unsigned_abs());
    if !(2..=36).contains(&from_base) || !(2..=36).contains(&to_base) {
        return Ok(Value::Null);
    }
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut value: u64 = 0;
    for digit in digits.chars().map_while(|c| c.to_digit(from_base as u32)) {
        value = value.checked_mul(from_base).and_then(|v| v.checked_add(u64::from(digit))).ok_or_else(|| {
            EngineError::Runtime(
                "[ARITHMETIC_OVERFLOW] Overflow in function conv(). If necessary set \"spark.sql.ansi.enabled\" to \
                 \"false\" to bypass this error. SQLSTATE: 22003"
                    .into(),
            )
        })?;
    }
    let value = if negative { value.wrapping_neg() } else { value };
    let (sign, magnitude) = if to < 0 && (value as i64) < 0 { ("-", (value as i64).unsigned_abs()) } else { ("", value) };
    let mut written = Vec::new();
    let mut rest = magnitude;
    loop {
        written.push(std::char::from_digit((rest % to_base) as u32, to_base as u32).unwrap_or('0').to_ascii_uppercase());
        rest /= to_base;
        if rest == 0 {
            break;
        }
    }
    Ok(Value::String(format!("{sign}{}", written.iter().rev().collect::<String>())))
}

/// `value + interval` for a date or a timestamp (with or without a time zone), as `+` computes it; `None` past the
/// calendar's range. Where a RANGE frame over dates or timestamps with an interval offset ends.
pub fn plus_interval(value: &Value, interval: &Value) -> Option<Value> {
    match value {
        Value::Date(_) => date_time_arithmetic(DatePlusInterval, value, interval).ok(),
        Value::Timestamp(_) => date_time_arithmetic(TimestampPlusInterval, value, interval).ok(),
        Value::TimestampNtz(at) => match interval {
            Value::DayTimeInterval { micros, .. } => at.checked_add(*micros).map(Value::TimestampNtz),
            Value::YearMonthInterval { months, .. } => {
                let time = chrono::DateTime::from_timestamp_micros(*at)?.naive_utc();
                let moved = if *months >= 0 {
                    time.checked_add_months(Months::new(*months as u32))
                } else {
                    time.checked_sub_months(Months::new(months.unsigned_abs()))
                }?;
                Some(Value::TimestampNtz(moved.and_utc().timestamp_micros()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// `date ± interval`, `timestamp ± interval`, `date - date`, `timestamp - timestamp` (the planner negates the
/// interval of a subtraction).
fn date_time_arithmetic(function: PerRowFunction, left: &Value, right: &Value) -> std::result::Result<Value, ()> {
    let zone = crate::time_zone::current();
    let by_months = |time: chrono::NaiveDateTime, months: i32| {
        let moved = if months >= 0 {
            time.checked_add_months(Months::new(months as u32))
        } else {
            time.checked_sub_months(Months::new(months.unsigned_abs()))
        };
        moved.ok_or(())
    };
    Ok(match (function, left, right) {
        (DatePlusInterval, Value::Date(days), Value::YearMonthInterval { months, .. }) => {
            let date = naive_date(*days).ok_or(())?.and_hms_opt(0, 0, 0).ok_or(())?;
            days_value(Some(by_months(date, *months)?.date()))
        }
        (DatePlusInterval, Value::Date(days), Value::DayTimeInterval { micros, .. }) => {
            Value::Date(days.checked_add(i32::try_from(micros / 86_400_000_000).map_err(|_| ())?).ok_or(())?)
        }
        (TimestampPlusInterval, Value::Timestamp(at), Value::YearMonthInterval { months, .. }) => {
            let moved = by_months(zone.local(*at).ok_or(())?, *months)?;
            Value::Timestamp(zone.utc_micros(moved.and_utc().timestamp_micros()))
        }
        (TimestampPlusInterval, Value::Timestamp(at), Value::DayTimeInterval { micros, .. }) => {
            Value::Timestamp(at.checked_add(*micros).ok_or(())?)
        }
        (SubtractDates, Value::Date(a), Value::Date(b)) => {
            let micros = (i64::from(*a) - i64::from(*b)) * 86_400_000_000;
            Value::DayTimeInterval { micros, start: crate::interval::DAY, end: crate::interval::DAY }
        }
        (SubtractTimestamps, Value::Timestamp(a), Value::Timestamp(b)) => {
            Value::DayTimeInterval { micros: a.checked_sub(*b).ok_or(())?, start: crate::interval::DAY, end: crate::interval::SECOND }
        }
        _ => return Err(()),
    })
}

/// A unit of `timestampadd`/`timestampdiff`, in capitals; PySpark passes it as written (`'day'`), and Spark
/// refuses what is not a unit.
fn datetime_unit(unit: &str, function: &str) -> Result<String> {
    let upper = unit.to_ascii_uppercase();
    if unit_micros(&upper).is_some() || months_in(&upper).is_some() {
        return Ok(upper);
    }
    Err(EngineError::Runtime(format!(
        "[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) `unit` in `{function}` is invalid: expects \
         one of the units without quotes YEAR, QUARTER, MONTH, WEEK, DAY, DAYOFYEAR, HOUR, MINUTE, SECOND, \
         MILLISECOND, MICROSECOND, but got the string literal '{unit}'. SQLSTATE: 22023"
    )))
}

/// Microseconds in one of the fixed-length units; `None` for months, quarters and years.
fn unit_micros(unit: &str) -> Option<i64> {
    Some(match unit {
        "MICROSECOND" => 1,
        "MILLISECOND" => 1_000,
        "SECOND" => 1_000_000,
        "MINUTE" => 60_000_000,
        "HOUR" => 3_600_000_000,
        "DAY" | "DAYOFYEAR" => 86_400_000_000,
        "WEEK" => 7 * 86_400_000_000,
        _ => return None,
    })
}

fn months_in(unit: &str) -> Option<i64> {
    match unit {
        "MONTH" => Some(1),
        "QUARTER" => Some(3),
        "YEAR" => Some(12),
        _ => None,
    }
}

fn timestamp_overflow() -> EngineError {
    EngineError::Runtime(
        "[ARITHMETIC_OVERFLOW] long overflow. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this \
         error. SQLSTATE: 22003"
            .into(),
    )
}

/// `timestampadd(unit, n, ts)`: hours and smaller units move the instant; days and longer move the wall-clock
/// time of the session time zone (a day across a change to summer time is 23 hours).
fn timestamp_add(unit: &str, n: i64, micros: i64) -> Result<Value> {
    let zone = crate::time_zone::current();
    if let Some(size) = unit_micros(unit) {
        let by_wall_clock = size >= 86_400_000_000;
        let start = if by_wall_clock { zone.local_micros(micros) } else { micros };
        let end = n.checked_mul(size).and_then(|d| start.checked_add(d)).ok_or_else(timestamp_overflow)?;
        return Ok(Value::Timestamp(if by_wall_clock { zone.utc_micros(end) } else { end }));
    }
    let months = months_in(unit).map(|m| m * n).ok_or_else(|| EngineError::Internal(format!("unit {unit}")))?;
    let time = zone.local(micros).ok_or_else(timestamp_overflow)?;
    let moved = if months >= 0 {
        time.checked_add_months(Months::new(months as u32))
    } else {
        time.checked_sub_months(Months::new(months.unsigned_abs() as u32))
    };
    Ok(moved.map_or(Value::Null, |t| Value::Timestamp(zone.utc_micros(t.and_utc().timestamp_micros()))))
}

/// `timestampdiff(unit, start, end)`: whole units, truncated toward zero.
fn timestamp_diff(unit: &str, start: i64, end: i64) -> Result<Value> {
    if let Some(size) = unit_micros(unit) {
        return Ok(Value::Long((end - start) / size));
    }
    let per = months_in(unit).ok_or_else(|| EngineError::Internal(format!("unit {unit}")))?;
    let zone = crate::time_zone::current();
    let at = |m: i64| zone.local(m);
    let (Some(from), Some(to)) = (at(start), at(end)) else { return Ok(Value::Null) };
    let mut months = i64::from(to.year() - from.year()) * 12 + i64::from(to.month() as i32 - from.month() as i32);
    let shifted = |months: i64| {
        if months >= 0 { from.checked_add_months(Months::new(months as u32)) } else { from.checked_sub_months(Months::new(months.unsigned_abs() as u32)) }
    };
    if end >= start && shifted(months).is_some_and(|t| t > to) {
        months -= 1;
    } else if end < start && shifted(months).is_some_and(|t| t < to) {
        months += 1;
    }
    Ok(Value::Long(months / per))
}

/// `to_binary(text, format)`.
fn to_binary(text: &str, format: &str) -> Result<Value> {
    match format.to_ascii_lowercase().as_str() {
        "hex" => unhex(text).map(Value::Binary).ok_or_else(|| {
            EngineError::Runtime(format!(
                "[CONVERSION_INVALID_INPUT] The value '{text}' (HEX) cannot be converted to BINARY because it is \
                 malformed. Correct the value as per the syntax, or change its format. Use `try_to_binary` to tolerate \
                 malformed input and return NULL instead. SQLSTATE: 22018"
            ))
        }),
        "utf-8" | "utf8" => Ok(Value::Binary(text.as_bytes().to_vec())),
        "base64" => from_base64(text).map(Value::Binary).ok_or_else(|| {
            EngineError::Runtime(format!(
                "[CONVERSION_INVALID_INPUT] The value '{text}' (BASE64) cannot be converted to BINARY because it is \
                 malformed. Correct the value as per the syntax, or change its format. Use `try_to_binary` to \
                 tolerate malformed input and return NULL instead. SQLSTATE: 22018"
            ))
        }),
        other => Err(EngineError::Runtime(format!(
            "[INVALID_PARAMETER_VALUE.BINARY_FORMAT] The value of parameter(s) `format` in `to_binary` is invalid: \
             expects one of binary formats 'base64', 'hex', 'utf-8', but got '{other}'. SQLSTATE: 22023"
        ))),
    }
}

/// Base64 as Spark reads it: whitespace between the groups is ignored, the last group is padded with `=`, and the
/// padding is written together.
fn from_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let padding = text.trim_end().trim_end_matches('=');
    if text.trim_end()[padding.len()..].len() > 2 || text[padding.len()..].trim().contains(char::is_whitespace) {
        return None;
    }
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact).ok()
}

/// The UTF-8 checks: whether `bytes` are UTF-8, or the text they spell (repaired, refused, or NULL).
fn utf8(function: PerRowFunction, bytes: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(bytes);
    Ok(match (function, text) {
        (IsValidUtf8, text) => Value::Boolean(text.is_ok()),
        (_, Ok(text)) => Value::String(text.to_string()),
        (MakeValidUtf8, Err(_)) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        (ValidateUtf8, Err(_)) => {
            let shown: String = bytes.iter().map(|b| if b.is_ascii() { char::from(*b).to_string() } else { format!("\\x{b:02X}") }).collect();
            return Err(EngineError::Runtime(format!(
                "[INVALID_UTF8_STRING] Invalid UTF8 byte sequence found in string: {shown}. SQLSTATE: 22029"
            )));
        }
        _ => Value::Null,
    })
}

/// `value` rounded to a multiple of `unit`, a tie going to the even multiple.
fn round_half_even(value: i128, unit: i128) -> i128 {
    let (quotient, remainder) = (value / unit, value % unit);
    let twice = remainder.abs() * 2;
    let up = twice > unit || (twice == unit && quotient % 2 != 0);
    (quotient + if up { value.signum() } else { 0 }) * unit
}

/// `a div b`: whole numbers of `b` in `a`, as a long.
fn integral_divide(a: &Value, b: &Value) -> Result<Value> {
    if b.as_f64() == Some(0.0) {
        return Err(EngineError::Runtime("[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: 22012".into()));
    }
    Ok(match (a, b) {
        (Value::Decimal { value: a, scale: sa, .. }, Value::Decimal { value: b, scale: sb, .. }) => {
            let (a, b) = (a * 10i128.pow((*sb).max(0) as u32), b * 10i128.pow((*sa).max(0) as u32));
            Value::Long((a / b) as i64)
        }
        (a, b) => match (a.as_i64(), b.as_i64()) {
            (Some(a), Some(b)) => Value::Long(a.wrapping_div(b)),
            _ => Value::Long((a.as_f64().unwrap_or(0.0) / b.as_f64().unwrap_or(1.0)).trunc() as i64),
        },
    })
}

/// `width_bucket(v, min, max, n)`: which of `n` equal buckets between `min` and `max` holds `v` (0 below, `n + 1`
/// above); NULL for a bucket count that is not positive or an empty range.
fn width_bucket(value: f64, min: f64, max: f64, buckets: i64) -> Value {
    if buckets <= 0 || buckets == i64::MAX || min == max || !value.is_finite() || !min.is_finite() || !max.is_finite() {
        return Value::Null;
    }
    let n = buckets as f64;
    let bucket = if min < max {
        if value < min { 0.0 } else if value >= max { n + 1.0 } else { ((value - min) / (max - min) * n).floor() + 1.0 }
    } else if value > min {
        0.0
    } else if value <= max {
        n + 1.0
    } else {
        ((min - value) / (min - max) * n).floor() + 1.0
    };
    Value::Long(bucket as i64)
}

fn next_day(date: Option<NaiveDate>, day: &str) -> Result<Value> {
    let weekday = match day.trim().to_ascii_uppercase().as_str() {
        "MO" | "MON" | "MONDAY" => Weekday::Mon,
        "TU" | "TUE" | "TUESDAY" => Weekday::Tue,
        "WE" | "WED" | "WEDNESDAY" => Weekday::Wed,
        "TH" | "THU" | "THURSDAY" => Weekday::Thu,
        "FR" | "FRI" | "FRIDAY" => Weekday::Fri,
        "SA" | "SAT" | "SATURDAY" => Weekday::Sat,
        "SU" | "SUN" | "SUNDAY" => Weekday::Sun,
        _ => {
            return Err(EngineError::Runtime(format!(
                "[ILLEGAL_DAY_OF_WEEK] Illegal input for day of week: {day}. SQLSTATE: 22009"
            )));
        }
    };
    Ok(days_value(date.and_then(|d| {
        let ahead = (7 + weekday.num_days_from_monday() as i64 - d.weekday().num_days_from_monday() as i64 - 1) % 7 + 1;
        d.checked_add_signed(chrono::Duration::days(ahead))
    })))
}

fn make_date(year: i64, month: i64, day: i64) -> Result<Value> {
    let date = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32);
    match date {
        Some(date) if (1..=12).contains(&month) && (1..=31).contains(&day) => Ok(days_value(Some(date))),
        _ => {
            let (field, value, range) = if !(1..=12).contains(&month) {
                ("MonthOfYear", month, "1 - 12")
            } else {
                ("DayOfMonth", day, "1 - 28/31")
            };
            Err(EngineError::Runtime(format!(
                "[DATETIME_FIELD_OUT_OF_BOUNDS.WITH_SUGGESTION] Invalid value for {field} (valid values {range}): \
                 {value}. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass this error. SQLSTATE: \
                 22023"
            )))
        }
    }
}

fn timestamp_seconds(value: &Value) -> Result<Value> {
    let micros = match value {
        Value::Float(_) | Value::Double(_) | Value::Decimal { .. } => {
            let seconds = value.as_f64().unwrap_or(f64::NAN);
            if !seconds.is_finite() {
                return Ok(Value::Null);
            }
            (seconds * 1e6) as i64
        }
        other => other.as_i64().unwrap_or(0).checked_mul(1_000_000).ok_or_else(|| {
            EngineError::Runtime(
                "[ARITHMETIC_OVERFLOW] long overflow. If necessary set \"spark.sql.ansi.enabled\" to \"false\" to bypass \
                 this error. SQLSTATE: 22003"
                    .into(),
            )
        })?,
    };
    Ok(Value::Timestamp(micros))
}

