//! `--master local[N]`: how many executor threads a run gets, written the way spark-submit takes it.

use std::str::FromStr;

/// A parsed `--master` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Master {
    pub executors: usize,
}

impl FromStr for Master {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let threads = match text {
            "local" => "1",
            _ => text
                .strip_prefix("local[")
                .and_then(|rest| rest.strip_suffix(']'))
                .ok_or_else(|| format!("`{text}` is not a supported master: use local, local[N] or local[*]"))?,
        };
        let executors = if threads == "*" {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads.parse().ok().filter(|&n: &usize| n > 0).ok_or_else(|| {
                format!("`{text}`: the number of threads in local[N] must be a positive integer")
            })?
        };
        Ok(Self { executors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_spark_submit_accepts() {
        assert_eq!("local".parse(), Ok(Master { executors: 1 }));
        assert_eq!("local[3]".parse(), Ok(Master { executors: 3 }));
        let all: Master = "local[*]".parse().unwrap();
        assert!(all.executors >= 1);
    }

    #[test]
    fn rejects_other_masters_with_a_reason() {
        for bad in ["local[0]", "local[x]", "yarn", "local[2"] {
            let error = bad.parse::<Master>().unwrap_err();
            assert!(error.contains(bad), "{error}");
        }
    }
}
