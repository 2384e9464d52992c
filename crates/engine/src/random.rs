//! Spark's random numbers, for sampling, `rand`/`randn` and where a round-robin repartition starts: `XORShiftRandom`, a xorshift generator whose seed
//! is first scrambled with Scala's MurmurHash3 (so that nearby seeds — `seed + 0`, `seed + 1`, one per partition —
//! start far apart), read through `java.util.Random`'s `nextDouble` and `nextGaussian`.

/// A seed for `rand()` called without one, as Spark draws one: different each call.
pub fn fresh_seed() -> i64 {
    getrandom::u64().map_or_else(|_| crate::clock::wall_clock_micros(), |bits| bits as i64)
}

/// Spark's `org.apache.spark.util.random.XORShiftRandom`.
pub struct XorShiftRandom {
    state: i64,
    /// `nextGaussian` makes two normal draws at a time; the second waits here for the next call.
    spare_gaussian: Option<f64>,
}

impl XorShiftRandom {
    pub fn new(seed: i64) -> Self {
        Self { state: hash_seed(seed), spare_gaussian: None }
    }

    /// The next `bits` random bits (`java.util.Random.next`, as XORShiftRandom overrides it).
    fn next(&mut self, bits: u32) -> i32 {
        let mut next = self.state ^ (self.state << 21);
        next ^= ((next as u64) >> 35) as i64;
        next ^= next << 4;
        self.state = next;
        (next & ((1i64 << bits) - 1)) as i32
    }

    /// A whole number in [0, bound), as `java.util.Random.nextInt(bound)` (where `repartition(n)` starts).
    pub fn next_int(&mut self, bound: i32) -> i32 {
        if bound & (bound - 1) == 0 {
            return ((i64::from(bound) * i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            let value = bits % bound;
            if bits.wrapping_sub(value).wrapping_add(bound - 1) >= 0 {
                return value;
            }
        }
    }

    /// 64 random bits, as `java.util.Random.nextLong`.
    pub fn next_long(&mut self) -> i64 {
        (i64::from(self.next(32)) << 32).wrapping_add(i64::from(self.next(32)))
    }

    /// A double in [0, 1) from 53 random bits, as `java.util.Random.nextDouble`.
    pub fn next_double(&mut self) -> f64 {
        let high = (self.next(26) as i64) << 27;
        let low = self.next(27) as i64;
        (high + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A draw from the standard normal distribution, by `java.util.Random.nextGaussian`'s polar method.
    pub fn next_gaussian(&mut self) -> f64 {
        if let Some(spare) = self.spare_gaussian.take() {
            return spare;
        }
        loop {
            let v1 = 2.0 * self.next_double() - 1.0;
            let v2 = 2.0 * self.next_double() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s < 1.0 && s != 0.0 {
                let multiplier = (-2.0 * s.ln() / s).sqrt();
                self.spare_gaussian = Some(v2 * multiplier);
                return v1 * multiplier;
            }
        }
    }
}

/// `java.util.Random`: the 48-bit linear congruential generator Java's library uses, where Spark reaches for it
/// directly (`histogram_numeric` breaks ties with one seeded 31183).
pub struct JavaRandom {
    state: i64,
}

impl JavaRandom {
    const MULTIPLIER: i64 = 0x5_DEEC_E66D;
    const MASK: i64 = (1 << 48) - 1;

    pub fn new(seed: i64) -> Self {
        Self { state: (seed ^ Self::MULTIPLIER) & Self::MASK }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.state = self.state.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB) & Self::MASK;
        (self.state >> (48 - bits)) as i32
    }

    /// A double in [0, 1) from 53 random bits, as `java.util.Random.nextDouble`.
    pub fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        let low = i64::from(self.next(27));
        (high + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// The seed's eight bytes (big-endian, as a `ByteBuffer` writes a long) hashed twice with Scala's MurmurHash3.
fn hash_seed(seed: i64) -> i64 {
    let bytes = seed.to_be_bytes();
    let low = scala_bytes_hash(&bytes, SCALA_ARRAY_SEED);
    let high = scala_bytes_hash(&bytes, low);
    ((high as i64) << 32) | (low as i64 & 0xFFFF_FFFF)
}

/// `scala.util.hashing.MurmurHash3.arraySeed`.
const SCALA_ARRAY_SEED: i32 = 0x3c07_4a61;

/// `scala.util.hashing.MurmurHash3.bytesHash`: MurmurHash3 x86 32-bit over little-endian 4-byte blocks.
fn scala_bytes_hash(data: &[u8], seed: i32) -> i32 {
    let mut hash = seed as u32;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        hash = mix(hash, u32::from_le_bytes([block[0], block[1], block[2], block[3]]));
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let k = tail.iter().enumerate().fold(0u32, |k, (i, byte)| k ^ ((*byte as u32) << (8 * i)));
        hash = mix_last(hash, k);
    }
    avalanche(hash ^ data.len() as u32) as i32
}

fn mix_last(hash: u32, k: u32) -> u32 {
    hash ^ k.wrapping_mul(0xcc9e_2d51).rotate_left(15).wrapping_mul(0x1b87_3593)
}

fn mix(hash: u32, k: u32) -> u32 {
    mix_last(hash, k).rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64)
}

fn avalanche(mut hash: u32) -> u32 {
    hash ^= hash >> 16;
    hash = hash.wrapping_mul(0x85eb_ca6b);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(0xc2b2_ae35);
    hash ^ (hash >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first draws of Spark's `XORShiftRandom(seed).nextDouble()`, read from a running Spark 4.
    #[test]
    fn draws_are_sparks() {
        let spark: [(i64, [f64; 3]); 4] = [
            (0, [0.7604953758285915, 0.5234194256885571, 0.0953472826424725]),
            (42, [0.619189370225301, 0.5096018842446481, 0.8325259388871524]),
            (-7, [0.14773215621571878, 0.0914602266360357, 0.024990435468302152]),
            (1234567890123, [0.7471451158088548, 0.42623945050622525, 0.4120423064501709]),
        ];
        for (seed, draws) in spark {
            let mut random = XorShiftRandom::new(seed);
            assert_eq!(draws.map(|_| random.next_double()), draws, "seed {seed}");
        }
    }

    /// `new java.util.Random(31183).nextDouble()`, three times, as a JVM draws them.
    #[test]
    fn java_random_draws_are_javas() {
        let mut random = JavaRandom::new(31183);
        let draws = [0.10748527202486546, 0.893630159548549, 0.1375869077362396];
        assert_eq!(draws.map(|_| random.next_double()), draws);
    }

    /// The first normal draws of seed 7 (Spark's `randn(7)` in partition 0).
    #[test]
    fn gaussians_are_sparks() {
        let mut random = XorShiftRandom::new(7);
        let draws = [-1.773755556110447, -0.32537852999017897, 1.1637571325924414];
        assert_eq!(draws.map(|_| random.next_gaussian()), draws);
    }
}
