//! The functions of Java's `StrictMath` (fdlibm 5.3) whose results differ from `libm`'s in the last bit: `libm`
//! follows musl and FreeBSD's msun, where `log`, `log10` and `cbrt` were later rewritten. Spark computes with
//! `StrictMath`, so these follow fdlibm 5.3's algorithms step by step; the others come from `libm` unchanged.

fn high_word(x: f64) -> u32 {
    (x.to_bits() >> 32) as u32
}

fn low_word(x: f64) -> u32 {
    x.to_bits() as u32
}

fn with_high_word(x: f64, high: u32) -> f64 {
    f64::from_bits((u64::from(high) << 32) | u64::from(low_word(x)))
}

fn with_low_word(x: f64, low: u32) -> f64 {
    f64::from_bits((x.to_bits() & 0xFFFF_FFFF_0000_0000) | u64::from(low))
}

/// `x` as fdlibm's logarithms take it apart — its high word and binary exponent, a subnormal first scaled up by
/// 2^54 — or, for zero, a negative number, an infinity or NaN, the logarithm outright.
fn taken_apart(x: f64) -> Result<(f64, i32, i32), f64> {
    const TWO54: f64 = 1.801_439_850_948_198_4e16;
    let (mut x, mut high) = (x, high_word(x) as i32);
    let mut k: i32 = 0;
    if high < 0x0010_0000 {
        if ((high & 0x7FFF_FFFF) as u32 | low_word(x)) == 0 {
            return Err(f64::NEG_INFINITY);
        }
        if high < 0 {
            return Err(f64::NAN);
        }
        k -= 54;
        x *= TWO54;
        high = high_word(x) as i32;
    }
    if high >= 0x7FF0_0000 {
        return Err(x + x);
    }
    Ok((x, high, k + (high >> 20) - 1023))
}

/// `StrictMath.log`: `x = 2^k · (1 + f)` with `1 + f` in [√2/2, √2], then `log(1 + f)` from `s = f / (2 + f)` by
/// a polynomial in `s²`, the pieces added in the order that keeps the last bit.
pub fn log(x: f64) -> f64 {
    const LN2_HIGH: f64 = 6.931_471_803_691_238e-1;
    const LN2_LOW: f64 = 1.908_214_929_270_587_7e-10;
    const LG: [f64; 7] = [
        6.666_666_666_666_735e-1, 3.999_999_999_940_942e-1, 2.857_142_874_366_239e-1,
        2.222_219_843_214_978_4e-1, 1.818_357_216_161_805e-1, 1.531_383_769_920_937_3e-1,
        1.479_819_860_511_658_6e-1,
    ];
    let (x, high, mut k) = match taken_apart(x) {
        Ok(parts) => parts,
        Err(outright) => return outright,
    };
    let high = high & 0x000F_FFFF;
    let i = (high + 0x95F64) & 0x0010_0000;
    let x = with_high_word(x, (high | (i ^ 0x3FF0_0000)) as u32);
    k += i >> 20;
    let f = x - 1.0;
    let dk = f64::from(k);
    if (0x000F_FFFF & (2 + high)) < 3 {
        if f == 0.0 {
            return if k == 0 { 0.0 } else { dk * LN2_HIGH + dk * LN2_LOW };
        }
        let r = f * f * (0.5 - 0.333_333_333_333_333_3 * f);
        return if k == 0 { f - r } else { dk * LN2_HIGH - ((r - dk * LN2_LOW) - f) };
    }
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    if ((high - 0x6147A) | (0x6B851 - high)) > 0 {
        let half_square = 0.5 * f * f;
        if k == 0 { f - (half_square - s * (half_square + r)) } else { dk * LN2_HIGH - ((half_square - (s * (half_square + r) + dk * LN2_LOW)) - f) }
    } else if k == 0 {
        f - s * (f - r)
    } else {
        dk * LN2_HIGH - ((s * (f - r) - dk * LN2_LOW) - f)
    }
}

/// `StrictMath.log10`: the exponent's share `k·log10(2)` split in two parts, plus `log(m)/ln(10)` of the mantissa
/// scaled into [1, 2) (or [0.5, 1) for negative exponents), so that powers of ten come out exact.
pub fn log10(x: f64) -> f64 {
    const INV_LN10: f64 = std::f64::consts::LOG10_E;
    const LOG10_2_HIGH: f64 = 3.010_299_956_636_117_7e-1;
    const LOG10_2_LOW: f64 = 3.694_239_077_158_931e-13;
    let (x, high, k) = match taken_apart(x) {
        Ok(parts) => parts,
        Err(outright) => return outright,
    };
    let negative = ((k as u32) & 0x8000_0000) >> 31;
    let high = ((high as u32) & 0x000F_FFFF) | ((0x3FF - negative) << 20);
    let y = f64::from(k + negative as i32);
    let mantissa = with_high_word(x, high);
    let z = y * LOG10_2_LOW + INV_LN10 * log(mantissa);
    z + y * LOG10_2_HIGH
}

/// `StrictMath.cbrt`: a 5-bit guess from the exponent, refined to 23 bits by a rational step, chopped to 20 bits
/// and finished by one Newton step.
pub fn cbrt(x: f64) -> f64 {
    const B1: u32 = 715_094_163;
    const B2: u32 = 696_219_795;
    const C: f64 = 5.428_571_428_571_428e-1;
    const D: f64 = -7.053_061_224_489_796e-1;
    const E: f64 = 1.414_285_714_285_714_4;
    const F: f64 = 1.607_142_857_142_857_2;
    const G: f64 = 3.571_428_571_428_571_5e-1;
    let high = high_word(x);
    let sign = high & 0x8000_0000;
    let high = high ^ sign;
    if high >= 0x7FF0_0000 {
        return x + x;
    }
    if (high | low_word(x)) == 0 {
        return x;
    }
    let x = with_high_word(x, high);
    let mut t = if high < 0x0010_0000 {
        let scaled = with_high_word(0.0, 0x4350_0000) * x;
        with_high_word(scaled, high_word(scaled) / 3 + B2)
    } else {
        with_high_word(0.0, high / 3 + B1)
    };
    let r = t * t / x;
    let s = C + r * t;
    t *= G + F / (s + E + D / s);
    t = with_low_word(t, 0);
    t = with_high_word(t, high_word(t) + 1);
    let s = t * t;
    let r = x / s;
    let w = t + t;
    let r = (r - t) / (w + r);
    t += t * r;
    with_high_word(t, high_word(t) | sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values Java 17's `StrictMath` gives (printed by jshell), where they differ from the correctly rounded ones.
    #[test]
    fn last_bits_are_strict_maths() {
        assert_eq!(cbrt(0.74), 0.9045041696510275);
        assert_eq!(log10(1.85), 0.2671717284030138);
        assert_eq!(log10(6.29), 0.7986506454452689);
        assert_eq!(log(1.5725), 0.4526667095924585);
        assert_eq!(log10(1000.0), 3.0);
        assert_eq!(cbrt(-27.0), -3.0);
        assert!(log10(-1.0).is_nan());
        assert_eq!(log10(0.0), f64::NEG_INFINITY);
    }
}
