//! Korea Standard Time (UTC+9, no daylight saving): KIS's "today" and its timestamps are in KST
//! whatever the zone of the machine running the client.

const KST_OFFSET_MS: i64 = 9 * 3600 * 1000;
const DAY_MS: i64 = 86_400_000;

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYYMMDD`. Years before 1 do not occur: dates come from clocks and from KIS.
fn ymd(y: i64, m: u32, d: u32) -> String {
    format!("{:04}{m:02}{d:02}", y.max(0))
}

/// The KST calendar date of an epoch-ms instant as `YYYYMMDD`.
pub fn kst_date(epoch_ms: f64) -> String {
    let kst = epoch_ms as i64 + KST_OFFSET_MS;
    let (y, m, d) = civil_from_days(kst.div_euclid(DAY_MS));
    ymd(y, m, d)
}

/// The KST wall-clock time of an epoch-ms instant as `HHMMSS`.
pub fn kst_time(epoch_ms: f64) -> String {
    let secs = (epoch_ms as i64 + KST_OFFSET_MS)
        .div_euclid(1000)
        .rem_euclid(86_400);
    format!("{:02}{:02}{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// An epoch-ms instant as `"YYYY-MM-DD HH:MM:SS"` in KST, as tokenP writes its dates.
pub fn kst_datetime(epoch_ms: f64) -> String {
    format!(
        "{} {}",
        dashed_date(&kst_date(epoch_ms)),
        coloned_time(&kst_time(epoch_ms))
    )
}

/// `"YYYY-MM-DD HH:MM:SS"` in KST (tokenP's `access_token_token_expired`) → epoch ms.
pub fn parse_kst_datetime(s: &str) -> Option<f64> {
    let b = s.trim_ascii().as_bytes();
    if b.len() != 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits(b.get(r)?).map(i64::from);
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // A day past its month's end (31 February) is refused, not rolled into the next month.
    if !is_real_day(y, mo as u32, d as u32) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    Some((days * DAY_MS + ((h * 60 + mi) * 60 + se) * 1000 - KST_OFFSET_MS) as f64)
}

/// The value of a run of ASCII digits (at most 9); None if any byte is not one.
fn digits(b: &[u8]) -> Option<u32> {
    (b.len() <= 9 && b.iter().all(u8::is_ascii_digit))
        .then(|| b.iter().fold(0, |n, c| n * 10 + u32::from(c - b'0')))
}

/// All-digit `s` of length `len`, with `sep` put before the bytes at `cuts`; anything else is
/// returned unchanged.
fn punctuated(s: &str, len: usize, [a, b]: [usize; 2], sep: &str) -> String {
    if s.len() != len || !s.bytes().all(|c| c.is_ascii_digit()) {
        return s.to_string();
    }
    // All ASCII digits, so every cut is a char boundary.
    format!("{}{sep}{}{sep}{}", &s[..a], &s[a..b], &s[b..])
}

/// `YYYYMMDD` → `YYYY-MM-DD` (anything else is returned unchanged).
pub fn dashed_date(yyyymmdd: &str) -> String {
    punctuated(yyyymmdd, 8, [4, 6], "-")
}

/// `HHMMSS` → `HH:MM:SS` (anything else is returned unchanged).
pub fn coloned_time(hhmmss: &str) -> String {
    punctuated(hhmmss, 6, [2, 4], ":")
}

fn parts(yyyymmdd: &str) -> (i64, u32, u32) {
    let b = yyyymmdd.as_bytes();
    let n = |r: std::ops::Range<usize>| b.get(r).and_then(digits).unwrap_or(1);
    (i64::from(n(0..4)), n(4..6), n(6..8))
}

/// `YYYYMMDD` shifted by whole days.
pub fn add_days(yyyymmdd: &str, days: i64) -> String {
    let (y, m, d) = parts(yyyymmdd);
    let (y, m, d) = civil_from_days(days_from_civil(y, m, d) + days);
    ymd(y, m, d)
}

/// The same day `months` earlier (clamped to the month's end): KIS's "within three months".
pub fn months_before(yyyymmdd: &str, months: u32) -> String {
    let (y, m, d) = parts(yyyymmdd);
    let total = y * 12 + i64::from(m) - 1 - i64::from(months);
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let last = civil_from_days(days_from_civil(y + i64::from(m == 12), m % 12 + 1, 1) - 1).2;
    ymd(y, m, d.min(last))
}

/// Whether `YYYYMMDD` names a real calendar day.
pub fn is_valid_date(yyyymmdd: &str) -> bool {
    if yyyymmdd.len() != 8 || !yyyymmdd.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let (y, m, d) = parts(yyyymmdd);
    is_real_day(y, m, d)
}

/// Whether the day exists: a date that the day count would roll over (31 February → 3 March)
/// comes back different.
fn is_real_day(y: i64, m: u32, d: u32) -> bool {
    (1..=12).contains(&m) && d > 0 && civil_from_days(days_from_civil(y, m, d)) == (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b9_today_is_the_korean_date_not_the_utc_one() {
        // 2026-11-27 16:00 UTC is already 2026-11-28 01:00 in Seoul.
        let ms = 1_795_795_200_000.0; // 2026-11-27T16:00:00Z
        assert_eq!(kst_date(ms), "20261128");
        assert_eq!(kst_time(ms), "010000");
        assert_eq!(kst_date(ms - 3_600_000.0 * 2.0), "20261127");
    }

    #[test]
    fn parses_token_expiry_in_kst() {
        let ms = parse_kst_datetime("2026-11-28 01:00:00").unwrap();
        assert_eq!(ms, 1_795_795_200_000.0);
        assert_eq!(parse_kst_datetime("2026-13-01 00:00:00"), None);
        assert_eq!(parse_kst_datetime("2026-02-31 00:00:00"), None);
        assert_eq!(parse_kst_datetime("2026-04-31 09:00:00"), None);
        assert_eq!(parse_kst_datetime("garbage"), None);
    }

    #[test]
    fn validates_calendar_days() {
        assert!(is_valid_date("20240229"));
        assert!(!is_valid_date("20250229"));
        assert!(!is_valid_date("20251301"));
        assert!(!is_valid_date("2025-01-01"));
        assert_eq!(dashed_date("20261127"), "2026-11-27");
        assert_eq!(coloned_time("155211"), "15:52:11");
        assert_eq!(months_before("20261127", 3), "20260827");
        assert_eq!(months_before("20260531", 3), "20260228");
        assert_eq!(months_before("20260115", 3), "20251015");
        assert_eq!(add_days("20260301", -1), "20260228");
    }
}
