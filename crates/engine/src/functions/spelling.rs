//! `levenshtein` and `soundex`: how far apart two words are written, and how a word sounds.

/// The fewest single-character insertions, deletions and substitutions that turn `a` into `b`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push((previous[j] + cost).min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// `levenshtein(a, b[, threshold])`: the edit distance; with a `threshold`, -1 when it is larger.
pub fn levenshtein(a: &str, b: &str, threshold: Option<i64>) -> i32 {
    let distance = edit_distance(a, b) as i64;
    match threshold {
        Some(limit) if distance > limit => -1,
        _ => distance as i32,
    }
}

/// The letter codes American Soundex gives A to Z ('0' vowels and Y, '7' H and W, which are passed over).
const CODES: &[u8; 26] = b"01230127022455012623017202";

/// Soundex as Spark computes it: the first letter, then up to three digits for the consonant sounds after it
/// (a repeated sound counts once, unless a vowel stands between). Text not starting with a letter is kept as it is.
pub fn soundex(text: &str) -> String {
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else { return String::new() };
    let first = first.to_ascii_uppercase();
    if !first.is_ascii_uppercase() {
        return text.to_string();
    }
    let mut code = vec![first];
    let mut last = CODES[(first - b'A') as usize];
    for &byte in &bytes[1..] {
        let letter = byte.to_ascii_uppercase();
        if !letter.is_ascii_uppercase() {
            last = b'0';
            continue;
        }
        let sound = CODES[(letter - b'A') as usize];
        if sound == b'7' {
            continue;
        }
        if sound != b'0' && sound != last {
            code.push(sound);
            if code.len() == 4 {
                break;
            }
        }
        last = sound;
    }
    code.resize(4, b'0');
    String::from_utf8(code).expect("ASCII letters and digits")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_sounds() {
        assert_eq!(levenshtein("kitten", "sitting", None), 3);
        assert_eq!(levenshtein("kitten", "sitting", Some(2)), -1);
        assert_eq!(levenshtein("", "abc", None), 3);
        assert_eq!(soundex("Robert"), "R163");
        assert_eq!(soundex("Ashcraft"), "A261");
        assert_eq!(soundex("Tymczak"), "T522");
        assert_eq!(soundex("1abc"), "1abc");
    }
}
