//! `created`: an RFC 3339 timestamp. Stripe sends one form, `2024-09-17T06:20:52.246Z`; that form
//! is read directly (it is a tenth of the time jiff's general parser takes, on the hot path of
//! every notification), and anything else goes to jiff, which decides.
//!
//! RFC 3339 allows any number of fraction digits; a timestamp keeps nanoseconds, so digits past
//! the ninth are dropped (truncated, never rounded) on both paths.

use std::borrow::Cow;

use jiff::Timestamp;

use crate::decimal::{digit, number};

/// Parses an RFC 3339 timestamp.
pub fn parse(text: &str) -> Option<Timestamp> {
    utc_fast_path(text).or_else(|| nanosecond_fraction(text).parse().ok())
}

/// The most fraction digits a timestamp keeps.
const NANOSECOND_DIGITS: usize = 9;

/// `text` with the seconds' fraction cut to nine digits, for jiff (which takes no more).
fn nanosecond_fraction(text: &str) -> Cow<'_, str> {
    let Some(dot) = text.find('.') else {
        return Cow::Borrowed(text);
    };
    let digits = text
        .bytes()
        .skip(dot.saturating_add(1))
        .take_while(u8::is_ascii_digit)
        .count();
    match digits.checked_sub(NANOSECOND_DIGITS) {
        Some(extra) if extra > 0 => {
            let keep = dot.saturating_add(1).saturating_add(NANOSECOND_DIGITS);
            let rest = keep.saturating_add(extra);
            Cow::Owned([text.get(..keep).unwrap_or(text), text.get(rest..).unwrap_or("")].concat())
        }
        _ => Cow::Borrowed(text),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f+]Z`, else `None` (and jiff tries).
#[expect(
    clippy::arithmetic_side_effects,
    reason = "four-digit years, two-digit fields and at most nine fraction digits are far from any overflow"
)]
fn utc_fast_path(text: &str) -> Option<Timestamp> {
    let (head, rest) = text.as_bytes().split_first_chunk::<19>()?;
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
    ] = *head
    else {
        return None;
    };
    let year = pair(y0, y1)? * 100 + pair(y2, y3)?;
    let (month, day) = (pair(m0, m1)?, pair(d0, d1)?);
    let (hour, minute, second) = (pair(h0, h1)?, pair(i0, i1)?, pair(s0, s1)?);
    let nanos = match rest {
        [b'Z'] => 0,
        [b'.', fraction @ .., b'Z'] if !fraction.is_empty() => {
            let (kept, dropped) = fraction.split_at(fraction.len().min(NANOSECOND_DIGITS));
            if !dropped.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let scale = 10i64.pow(u32::try_from(NANOSECOND_DIGITS - kept.len()).ok()?);
            number(kept)? * scale
        }
        _ => return None,
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
        return None;
    }
    // A leap second (`:60`) is jiff's to interpret.
    if second > 59 {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Timestamp::new(seconds, i32::try_from(nanos).ok()?).ok()
}

/// The two-digit number `tens` and `ones` spell.
#[expect(clippy::arithmetic_side_effects, reason = "two digits make at most 99")]
fn pair(tens: u8, ones: u8) -> Option<i64> {
    Some(digit(tens)? * 10 + digit(ones)?)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
#[expect(
    clippy::arithmetic_side_effects,
    reason = "the fast path hands it a four-digit year and a valid month and day, far from any overflow"
)]
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (shifted_month * 153 + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_jiff() {
        for text in [
            "2024-09-17T06:20:52.246Z",
            "2022-02-15T00:27:45.330Z",
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59.999999999Z",
            "2100-03-01T00:00:00.5Z",
            "1969-12-31T23:59:59.1Z",
            "0001-01-01T00:00:00Z",
            "9999-12-30T00:00:00Z",
        ] {
            let jiff: Timestamp = text.parse().unwrap();
            assert_eq!(utc_fast_path(text), Some(jiff), "{text}");
        }
    }

    #[test]
    fn other_forms_go_to_jiff_and_invalid_ones_fail() {
        assert_eq!(utc_fast_path("2024-09-17T06:20:52+02:00"), None);
        assert_eq!(
            parse("2024-09-17T06:20:52+02:00"),
            "2024-09-17T04:20:52Z".parse().ok()
        );
        for invalid in [
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-09-17T24:00:00Z",
            "yesterday",
            "",
            "2024-09-17T06:20:52.Z",
            "2024-09-17T06:20:52.123456789xZ",
        ] {
            assert_eq!(utc_fast_path(invalid), None, "{invalid}");
            assert_eq!(parse(invalid), invalid.parse::<Timestamp>().ok(), "{invalid}");
        }
    }

    #[test]
    fn fraction_digits_past_the_ninth_are_truncated_on_both_paths() {
        let nanos: Timestamp = "2026-03-30T05:37:07.575123456Z".parse().unwrap();
        for text in [
            "2026-03-30T05:37:07.575123456789Z",
            "2026-03-30T05:37:07.5751234569999999999999Z",
        ] {
            assert_eq!(utc_fast_path(text), Some(nanos), "{text}");
        }
        assert_eq!(
            parse("2026-03-30T07:37:07.575123456789+02:00"),
            Some(nanos),
            "jiff's path"
        );
        assert_eq!(parse("2026-03-30T05:37:07.575123456789z"), Some(nanos));
    }
}
