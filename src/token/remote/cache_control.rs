//! Reading a JWKS response's `Cache-Control` header (RFC 9111 §5.2) as a private cache.

/// How long a response may be used without refetching, in seconds, as its `Cache-Control`
/// value says; `None` when the value sets no lifetime (absent, or no freshness directive).
///
/// - `no-store` and `no-cache` mean "fetch again before each use": 0, whatever else is there.
/// - `max-age=N` gives N (saturating at `u64::MAX`; quoted `"N"` accepted, RFC 9111 §5.2).
/// - A `max-age` without a valid number, or two `max-age`s that disagree, make the response
///   stale: 0 (RFC 9111 §4.2.1 and §1.2.2 encourage treating invalid freshness as stale).
/// - `s-maxage` is ignored: it is for shared caches, and this one is private (RFC 9111
///   §5.2.2.10). So are `public`, `private`, `must-revalidate` and extensions.
///
/// Directive names are compared without case; whitespace around commas and `=` is allowed.
pub(crate) fn max_age_secs(value: &str) -> Option<u64> {
    let mut max_age: Option<u64> = None;
    let mut stale = false;
    for directive in value.split(',') {
        let (name, argument) = match directive.split_once('=') {
            Some((name, argument)) => (name.trim(), Some(argument.trim())),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            stale = true;
        } else if name.eq_ignore_ascii_case("max-age") {
            match argument.and_then(delta_seconds) {
                Some(seconds) if max_age.is_none_or(|seen| seen == seconds) => {
                    max_age = Some(seconds);
                }
                _ => stale = true,
            }
        }
    }
    if stale { Some(0) } else { max_age }
}

/// RFC 9111 §1.2.2 delta-seconds: one or more digits, possibly quoted; saturating.
fn delta_seconds(argument: &str) -> Option<u64> {
    let digits = argument
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(argument);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0u64, |seconds, digit| {
        seconds
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::max_age_secs;

    #[test]
    fn directives() {
        assert_eq!(max_age_secs("max-age=300"), Some(300));
        assert_eq!(
            max_age_secs("public, max-age=300, must-revalidate"),
            Some(300)
        );
        assert_eq!(max_age_secs("Public , MAX-AGE = 60"), Some(60));
        assert_eq!(max_age_secs(r#"max-age="60""#), Some(60));
        assert_eq!(max_age_secs("max-age=0"), Some(0));
        assert_eq!(max_age_secs("no-store"), Some(0));
        assert_eq!(max_age_secs("max-age=300, no-cache"), Some(0));
        assert_eq!(max_age_secs("max-age=abc"), Some(0));
        assert_eq!(max_age_secs("max-age=-1"), Some(0));
        assert_eq!(max_age_secs("max-age="), Some(0));
        assert_eq!(max_age_secs("max-age"), Some(0));
        assert_eq!(max_age_secs("max-age=60, max-age=60"), Some(60));
        assert_eq!(max_age_secs("max-age=60, max-age=600"), Some(0));
        assert_eq!(
            max_age_secs("max-age=99999999999999999999999"),
            Some(u64::MAX)
        );
        assert_eq!(max_age_secs("s-maxage=600"), None);
        assert_eq!(max_age_secs("public, s-maxage=600, max-age=60"), Some(60));
        assert_eq!(max_age_secs(""), None);
        assert_eq!(max_age_secs("garbage;;=,"), None);
    }
}
