//! Text helpers: messages that quote untrusted input, and hex.

use std::fmt::Write as _;

/// At most `max` bytes of `text`, cut at a character boundary: error messages quote what a
/// request sent, and stay short whatever it sent.
pub(crate) fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    // `end` is a char boundary within `text`: the slice exists.
    text.get(..end).unwrap_or(text)
}

/// Appends `bytes` to `out` as lowercase hex.
pub(crate) fn push_hex(out: &mut String, bytes: &[u8]) {
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
}

#[cfg(test)]
mod tests {
    use super::{push_hex, truncate};

    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        let mut out = "v1=".to_owned();
        push_hex(&mut out, &[0x00, 0x0f, 0xab]);
        assert_eq!(out, "v1=000fab");
    }

    #[test]
    fn truncates_at_a_character_boundary() {
        assert_eq!(truncate("abcdef", 3), "abc");
        assert_eq!(truncate("ab", 3), "ab");
        assert_eq!(truncate("aé", 2), "a");
    }
}
