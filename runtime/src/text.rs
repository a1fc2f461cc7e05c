//! Text helpers for messages that quote untrusted input.

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

#[cfg(test)]
mod tests {
    use super::truncate;

    #[test]
    fn truncates_at_a_character_boundary() {
        assert_eq!(truncate("abcdef", 3), "abc");
        assert_eq!(truncate("ab", 3), "ab");
        assert_eq!(truncate("aé", 2), "a");
    }
}
