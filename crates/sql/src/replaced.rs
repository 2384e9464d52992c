//! Functions Spark replaces by another expression while analysing a query (its `RuntimeReplaceable` functions):
//! `nvl(a, b)` is `coalesce(a, b)`, `int(x)` a cast, `equal_null(a, b)` is `a <=> b`, `date_part('YEAR', d)` is
//! `year(d)`. Each keeps the name it was called by, as Spark shows it.

use kindling_engine::expr::{AggregateFunction, BinaryOp, Expr, aggregate, call, lit};
use kindling_engine::functions::{CollectionFunction, CsvFunction, DateTimeFunction, JsonFunction, MathFunction, PerRowFunction, ScalarFunction};
use kindling_engine::session::SPARK_VERSION;
use kindling_engine::types::SparkType;
use kindling_engine::value::Value;

use crate::expression::named_call;

/// Functions Spark replaces by another expression while analysing a query (`nvl(a, b)` is `coalesce(a, b)`,
/// `int(x)` a cast), named as written. Also what PySpark's `F.nvl`, `F.from_unixtime`, … call.
pub fn replaced_call(name: &str, args: &[Expr]) -> Option<Expr> {
    let lower = name.to_ascii_lowercase();
    let named = |expr: Expr| {
        let shown: Vec<String> = args.iter().map(Expr::sql_name).collect();
        expr.alias(&format!("{lower}({})", shown.join(", ")))
    };
    let cast_to = match lower.as_str() {
        "boolean" | "tinyint" | "smallint" | "int" | "bigint" | "float" | "double" | "decimal" | "string" | "binary"
        | "date" | "timestamp" => SparkType::parse(&lower).ok(),
        _ => None,
    };
    Some(match (lower.as_str(), args) {
        (_, [value]) if let Some(to) = cast_to => value.clone().cast(to).alias(&value.sql_name()),
        ("if", [condition, then, otherwise]) => {
            let case = Expr::CaseWhen { branches: vec![(condition.clone(), then.clone())], otherwise: Some(Box::new(otherwise.clone())) };
            case.alias(&format!("(IF({}, {}, {}))", condition.sql_name(), then.sql_name(), otherwise.sql_name()))
        }
        ("nvl" | "ifnull", [a, b]) => named(call(ScalarFunction::Coalesce, vec![a.clone(), b.clone()])),
        ("isnull", [a]) => a.clone().is_null(),
        // `to_timestamp_ltz` is `to_timestamp` (Spark's timestamps are the LTZ kind) under its own name.
        ("to_timestamp_ltz", [_] | [_, _]) => named(named_call("to_timestamp", ScalarFunction::by_name("to_timestamp")?, args.to_vec())),
        ("regr_count" | "regr_avgx" | "regr_avgy" | "regr_sxx" | "regr_syy", [y, x]) => kindling_engine::expr::regression(&lower, y.clone(), x.clone())?,
        ("listagg" | "string_agg", [value]) => kindling_engine::expr::listagg(&lower, value.clone(), None, false, None),
        ("listagg" | "string_agg", [value, delimiter]) => {
            kindling_engine::expr::listagg(&lower, value.clone(), Some(delimiter.clone()), false, None)
        }
        ("isnotnull", [a]) => a.clone().is_not_null(),
        ("regexp_like" | "regexp" | "rlike", [text, pattern]) => {
            let shown = format!("{}({}, {})", lower.to_uppercase(), text.sql_name(), pattern.sql_name());
            call(ScalarFunction::PerRow(PerRowFunction::RLike), vec![text.clone(), pattern.clone()]).alias(&shown)
        }
        // Spark fills in the defaults, and names the call with them: the position to replace from, the group.
        ("regexp_replace", [text, pattern, replacement]) => {
            let args = vec![text.clone(), pattern.clone(), replacement.clone(), lit(1)];
            named_call("regexp_replace", ScalarFunction::PerRow(PerRowFunction::RegexpReplace), args)
        }
        ("regexp_extract", [text, pattern]) => {
            let args = vec![text.clone(), pattern.clone(), lit(1)];
            named_call("regexp_extract", ScalarFunction::PerRow(PerRowFunction::RegexpExtract), args)
        }
        ("count_if", [condition]) => named(aggregate(AggregateFunction::Count, Expr::CaseWhen {
            branches: vec![(condition.clone(), lit(true))],
            otherwise: None,
        })),
        ("try_divide", [a, b]) => named(Expr::CaseWhen {
            branches: vec![(b.clone().eq(lit(0)), lit(Value::Null))],
            otherwise: Some(Box::new(a.clone().divide(b.clone()))),
        }),
        ("nullif", [a, b]) => named(Expr::CaseWhen {
            branches: vec![(a.clone().eq(b.clone()), lit(Value::Null))],
            otherwise: Some(Box::new(a.clone())),
        }),
        ("nvl2", [a, b, c]) => named(Expr::CaseWhen {
            branches: vec![(a.clone().is_not_null(), b.clone())],
            otherwise: Some(Box::new(c.clone())),
        }),
        ("mod", [a, b]) => named(a.clone().modulo(b.clone())),
        // The moment the statement is read, as Spark fixes it once per query; the date in the session time zone.
        ("current_timestamp" | "now", []) => {
            lit(Value::Timestamp(kindling_engine::clock::wall_clock_micros())).alias(&format!("{lower}()"))
        }
        ("current_date" | "curdate", []) => {
            let local = kindling_engine::time_zone::current().local_micros(kindling_engine::clock::wall_clock_micros());
            lit(Value::Date(local.div_euclid(86_400_000_000) as i32)).alias("current_date()")
        }
        // from_unixtime(seconds[, pattern]): the instant that many seconds after the epoch, written in the session
        // time zone.
        ("from_unixtime", [seconds, rest @ ..]) if rest.len() <= 1 => {
            let pattern = rest.first().cloned().unwrap_or(lit("yyyy-MM-dd HH:mm:ss"));
            let shown = format!("from_unixtime({}, {})", seconds.sql_name(), pattern.sql_name());
            let instant = seconds.clone().cast(SparkType::Long).cast(SparkType::Timestamp);
            call(ScalarFunction::DateFormat, vec![instant, pattern]).alias(&shown)
        }
        ("to_timestamp_ntz", [value]) => named(value.clone().cast(SparkType::TimestampNtz)),
        // Parsed as a local time of the session's zone, whose wall clock is then the NTZ value.
        ("to_timestamp_ntz", [_, _]) => {
            named(named_call("to_timestamp", ScalarFunction::by_name("to_timestamp")?, args.to_vec()).cast(SparkType::TimestampNtz))
        }
        // to_char / to_varchar of a date or timestamp is date_format (Spark names it so).
        ("to_char" | "to_varchar", [value, format]) => call(ScalarFunction::DateFormat, vec![value.clone(), format.clone()]),
        // decode(x, search, result, …, default): the result of the first search equal to x (NULL equals NULL).
        ("decode", [value, pairs @ ..]) if pairs.len() >= 2 => {
            let branches = pairs
                .chunks_exact(2)
                .map(|pair| (Expr::Binary { op: BinaryOp::NullSafeEq, left: Box::new(value.clone()), right: Box::new(pair[0].clone()) }, pair[1].clone()))
                .collect();
            let otherwise = (pairs.len() % 2 == 1).then(|| Box::new(pairs[pairs.len() - 1].clone()));
            named(Expr::CaseWhen { branches, otherwise })
        }
        ("date_diff", [end, start]) => named(call(ScalarFunction::DateDiff, vec![end.clone(), start.clone()])),
        ("date_add" | "dateadd" | "timestampadd", [Expr::Column(unit), n, at]) => {
            let unit = unit.to_ascii_uppercase();
            let name = format!("timestampadd({unit}, {}, {})", n.sql_name(), at.sql_name());
            call(ScalarFunction::PerRow(PerRowFunction::TimestampAdd), vec![lit(unit.as_str()), n.clone(), at.clone()]).alias(&name)
        }
        ("datediff" | "date_diff" | "timestampdiff", [Expr::Column(unit), start, end]) => {
            let unit = unit.to_ascii_uppercase();
            let name = format!("timestampdiff({unit}, {}, {})", start.sql_name(), end.sql_name());
            call(ScalarFunction::PerRow(PerRowFunction::TimestampDiff), vec![lit(unit.as_str()), start.clone(), end.clone()])
                .alias(&name)
        }
        ("equal_null", [a, b]) => {
            named(Expr::Binary { op: BinaryOp::NullSafeEq, left: Box::new(a.clone()), right: Box::new(b.clone()) })
        }
        ("nullifzero", [a]) => named(Expr::CaseWhen {
            branches: vec![(a.clone().eq(lit(0)), lit(Value::Null))],
            otherwise: Some(Box::new(a.clone())),
        }),
        ("zeroifnull", [a]) => named(call(ScalarFunction::Coalesce, vec![a.clone(), lit(0)])),
        ("bitwise_not", [a]) => bitwise_not(a.clone()),
        ("ilike", [text, pattern]) => ilike(text.clone(), pattern.clone()),
        ("like", [text, pattern]) => Expr::Like { expr: Box::new(text.clone()), pattern: Box::new(pattern.clone()) },
        ("extract", [Expr::Literal(Value::String(field)), source]) => {
            date_part(field, source.clone())?.alias(&format!("extract({field} FROM {})", source.sql_name()))
        }
        // The user running Kindling (in a browser, where there is none, `kindling`).
        ("current_user" | "user" | "session_user", []) => {
            lit(std::env::var("USER").unwrap_or_else(|_| "kindling".into()).as_str()).alias(&format!("{lower}()"))
        }
        ("current_database" | "current_schema", []) => lit("default").alias("current_schema()"),
        ("current_catalog", []) => lit("spark_catalog").alias("current_catalog()"),
        // The version of Spark whose behaviour Kindling follows.
        ("version", []) => lit(format!("{SPARK_VERSION} kindling").as_str()).alias("version()"),
        ("negate", [a]) => call(ScalarFunction::PerRow(PerRowFunction::Negative), vec![a.clone()]).alias(&format!("negative({})", a.sql_name())),
        ("current_timezone", []) => lit(kindling_engine::time_zone::current().name()).alias("current_timezone()"),
        ("to_unix_timestamp", [value, rest @ ..]) if rest.len() <= 1 => {
            let format = rest.first().cloned().unwrap_or(lit("yyyy-MM-dd HH:mm:ss"));
            let shown = format!("to_unix_timestamp({}, {})", value.sql_name(), format.sql_name());
            call(ScalarFunction::UnixTimestamp, vec![value.clone(), format]).alias(&shown)
        }
        ("date_part", [Expr::Literal(Value::String(field)), source]) => {
            date_part(field, source.clone())?.alias(&format!("date_part({field}, {})", source.sql_name()))
        }
        ("datepart", [Expr::Literal(Value::String(field)), source]) => {
            date_part(field, source.clone())?.alias(&format!("datepart({field} FROM {})", source.sql_name()))
        }
        ("try_add", [a, b]) => named(Expr::TryEval(Box::new(a.clone().plus(b.clone())))),
        ("try_subtract", [a, b]) => named(Expr::TryEval(Box::new(a.clone().minus(b.clone())))),
        ("try_multiply", [a, b]) => named(Expr::TryEval(Box::new(a.clone().multiply(b.clone())))),
        ("try_mod", [a, b]) => named(Expr::TryEval(Box::new(a.clone().modulo(b.clone())))),
        ("try_to_timestamp" | "try_to_date" | "try_to_number" | "try_to_binary" | "try_url_decode" | "try_make_timestamp" | "try_parse_url", _) => {
            let inner = lower.strip_prefix("try_").unwrap_or(&lower);
            let function = ScalarFunction::by_name(inner)?;
            let (least, most) = function.arity();
            if args.len() < least || args.len() > most {
                return None;
            }
            named(Expr::TryEval(Box::new(named_call(inner, function, args.to_vec()))))
        }
        // The schema is not part of the name; a map is named after its entries.
        // Spark names these after their text or struct alone, whatever schema and options follow.
        ("from_csv", [text, rest @ ..]) if !rest.is_empty() => {
            call(ScalarFunction::Csv(CsvFunction::FromCsv), args.to_vec()).alias(&format!("from_csv({})", text.sql_name()))
        }
        ("to_csv", [value, ..]) if args.len() <= 2 => call(ScalarFunction::Csv(CsvFunction::ToCsv), args.to_vec()).alias(&format!("to_csv({})", value.sql_name())),
        ("from_json", [json, schema]) => {
            let name = if schema_names_a_map(schema) { "entries".to_string() } else { format!("from_json({})", json.sql_name()) };
            call(ScalarFunction::Json(JsonFunction::FromJson), vec![json.clone(), schema.clone()]).alias(&name)
        }
        // Spark sorts with a comparator function, which it shows in the name.
        ("array_sort", [array]) => {
            let name = format!("array_sort({}, {ARRAY_SORT_COMPARATOR})", array.sql_name());
            call(ScalarFunction::Collection(CollectionFunction::ArraySort), vec![array.clone()]).alias(&name)
        }
        ("locate" | "position", [needle, haystack]) => {
            let args = vec![needle.clone(), haystack.clone(), lit(1)];
            let shown: Vec<String> = args.iter().map(Expr::sql_name).collect();
            call(ScalarFunction::PerRow(PerRowFunction::Locate), args).alias(&format!("{lower}({})", shown.join(", ")))
        }
        _ => return None,
    })
}

fn schema_names_a_map(schema: &Expr) -> bool {
    matches!(schema, Expr::Literal(Value::String(text)) if text.trim_start().to_ascii_lowercase().starts_with("map<"))
}

/// How Spark shows `array_sort`'s default comparator (ascending, NULLs last) in a column's name.
const ARRAY_SORT_COMPARATOR: &str = "lambdafunction((IF(((namedlambdavariable() IS NULL) AND (namedlambdavariable() IS \
     NULL)), 0, (IF((namedlambdavariable() IS NULL), 1, (IF((namedlambdavariable() IS NULL), -1, \
     (IF((namedlambdavariable() < namedlambdavariable()), -1, (IF((namedlambdavariable() > namedlambdavariable()), 1, \
     0)))))))))), namedlambdavariable(), namedlambdavariable())";

/// `~x`: every bit of a whole number flipped.
pub fn bitwise_not(value: Expr) -> Expr {
    let name = format!("~{}", value.sql_name());
    call(ScalarFunction::PerRow(PerRowFunction::Math(MathFunction::BitwiseNot)), vec![value]).alias(&name)
}

/// `text ILIKE pattern`: LIKE with the case of letters ignored.
pub fn ilike(text: Expr, pattern: Expr) -> Expr {
    let name = format!("ilike({}, {})", text.sql_name(), pattern.sql_name());
    let lower = |e: Expr| call(ScalarFunction::Lower, vec![e]);
    Expr::Like { expr: Box::new(lower(text)), pattern: Box::new(lower(pattern)) }.alias(&name)
}

/// The field `field` (`YEAR`, `doy`, `SECONDS`, … as `extract` and `date_part` name them) of a date or timestamp.
pub fn date_part(field: &str, source: Expr) -> Option<Expr> {
    let per_row = |f: PerRowFunction| ScalarFunction::PerRow(f);
    let function = match field.to_ascii_uppercase().as_str() {
        "YEAR" | "Y" | "YEARS" | "YR" | "YRS" => ScalarFunction::Year,
        "YEAROFWEEK" => per_row(PerRowFunction::DateTime(DateTimeFunction::YearOfWeek)),
        "QUARTER" | "QTR" => per_row(PerRowFunction::Quarter),
        "MONTH" | "MON" | "MONS" | "MONTHS" => ScalarFunction::Month,
        "WEEK" | "W" | "WEEKS" => per_row(PerRowFunction::WeekOfYear),
        "DAY" | "D" | "DAYS" => ScalarFunction::DayOfMonth,
        "DAYOFWEEK" | "DOW" => ScalarFunction::DayOfWeek,
        "DAYOFWEEK_ISO" | "DOW_ISO" => per_row(PerRowFunction::DateTime(DateTimeFunction::DayOfWeekIso)),
        "DOY" => per_row(PerRowFunction::DayOfYear),
        "HOUR" | "H" | "HOURS" | "HR" | "HRS" => ScalarFunction::Hour,
        "MINUTE" | "M" | "MIN" | "MINS" | "MINUTES" => ScalarFunction::Minute,
        "SECOND" | "S" | "SEC" | "SECONDS" | "SECS" => per_row(PerRowFunction::DateTime(DateTimeFunction::SecondWithFraction)),
        _ => return None,
    };
    Some(call(function, vec![source]))
}
