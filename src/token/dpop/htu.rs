//! The `htu` comparison (RFC 9449 §4.3, check 9): both URLs normalised by RFC 3986 §6.2.2
//! (syntax: case of scheme and host, percent-encoding, dot segments) and §6.2.3 (scheme: the
//! default port, an empty path as `/`), then compared without query and fragment.

use url::Url;

/// `url` normalised for the `htu` comparison: an absolute `http` or `https` URL with a host,
/// without query and fragment, as the WHATWG URL parser writes it (lower-case scheme and host,
/// no default port, dot segments resolved, an empty path as `/`). `None` for anything else.
pub(crate) fn normalise(url: &str) -> Option<String> {
    let mut parsed = Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return None;
    }
    // Credentials have no place in a request URI a client signs.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return None;
    }
    parsed.set_query(None);
    parsed.set_fragment(None);
    Some(upper_percent_escapes(parsed.as_str()))
}

/// RFC 3986 §6.2.2.1: percent-encoded octets compare with upper-case hex digits.
fn upper_percent_escapes(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut chars = url.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                if let Some(hex) = chars.next() {
                    out.push(hex.to_ascii_uppercase());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn scheme_host_default_port_query_and_fragment_are_normalised() {
        let want = Some("https://server.example.com/path".to_owned());
        for spelling in [
            "https://server.example.com/path",
            "HTTPS://Server.Example.COM/path",
            "https://server.example.com:443/path",
            "https://server.example.com/path?x=1",
            "https://server.example.com/path#frag",
            "https://server.example.com/a/../path",
        ] {
            assert_eq!(normalise(spelling), want, "{spelling}");
        }
        assert_eq!(
            normalise("http://localhost:80"),
            Some("http://localhost/".to_owned())
        );
        assert_eq!(
            normalise("https://h.example/%7ea"),
            normalise("https://h.example/%7Ea")
        );
    }

    #[test]
    fn the_path_case_and_a_non_default_port_still_count() {
        assert_ne!(
            normalise("https://h.example/Path"),
            normalise("https://h.example/path")
        );
        assert_ne!(
            normalise("https://h.example:8443/"),
            normalise("https://h.example/")
        );
        assert_ne!(
            normalise("http://h.example/"),
            normalise("https://h.example/")
        );
    }

    #[test]
    fn only_absolute_http_urls_with_a_host_are_accepted() {
        for bad in [
            "",
            "/path",
            "ftp://h.example/",
            "https://user:pw@h.example/",
            "data:text/plain,x",
            "not a url",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
