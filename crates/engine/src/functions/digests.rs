//! `md5`, `sha1`, `sha2` and `crc32`: fingerprints of a value's bytes (a string's UTF-8), as lower-case hex text
//! (or, for `crc32`, a number) — the same bytes always give the same fingerprint.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn md5(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

pub fn sha1(bytes: &[u8]) -> String {
    hex(&Sha1::digest(bytes))
}

/// SHA-2 of `bits` 224, 256 (also 0), 384 or 512; any other length is NULL, as in Spark.
pub fn sha2(bytes: &[u8], bits: i64) -> Option<String> {
    Some(match bits {
        224 => hex(&Sha224::digest(bytes)),
        0 | 256 => hex(&Sha256::digest(bytes)),
        384 => hex(&Sha384::digest(bytes)),
        512 => hex(&Sha512::digest(bytes)),
        _ => return None,
    })
}

pub fn crc32(bytes: &[u8]) -> i64 {
    crc32fast::hash(bytes) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spark's values for the string 'a' (`SELECT md5('a'), sha1('a'), sha2('a', 256), crc32('a')`).
    #[test]
    fn fingerprints_of_a() {
        assert_eq!(md5(b"a"), "0cc175b9c0f1b6a831c399e269772661");
        assert_eq!(sha1(b"a"), "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8");
        assert_eq!(sha2(b"a", 256).unwrap(), "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
        assert_eq!(sha2(b"a", 100), None);
        assert_eq!(crc32(b"a"), 3904355907);
    }
}
