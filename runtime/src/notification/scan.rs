//! Where a snapshot's `data.object` begins and ends in the body, found from the values the
//! envelope's one serde pass hands out (slices of the body): the object is read once, as the
//! envelope is, and stays JSON text for the callback to read when it asks. The text between a
//! value and the object's braces is only whitespace, a key and punctuation, which serde_json has
//! already checked.

/// The index of the `{` that opens the object whose first value starts at `first_value`:
/// backwards over whitespace, `:`, whitespace, the first key (a string, escapes and all) and
/// whitespace.
pub(super) fn object_start(text: &str, first_value: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = blank_before(bytes, first_value)?;
    if *bytes.get(at)? != b':' {
        return None;
    }
    at = blank_before(bytes, at)?;
    if *bytes.get(at)? != b'"' {
        return None;
    }
    // The key's opening quote: the first `"` before it that an even number of backslashes
    // precedes.
    loop {
        at = at.checked_sub(1)?;
        if *bytes.get(at)? == b'"' {
            let backslashes = bytes.get(..at)?.iter().rev().take_while(|&&b| b == b'\\').count();
            if backslashes % 2 == 0 {
                break;
            }
        }
    }
    let open = blank_before(bytes, at)?;
    (*bytes.get(open)? == b'{').then_some(open)
}

/// The index just past the `}` that closes the object whose last value ends at `last_value_end`.
pub(super) fn object_end(text: &str, last_value_end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let close = last_value_end.saturating_add(
        bytes
            .get(last_value_end..)?
            .iter()
            .position(|b| !b.is_ascii_whitespace())?,
    );
    (*bytes.get(close)? == b'}').then_some(close.saturating_add(1))
}

/// The index of the first byte before `at` that is not whitespace.
fn blank_before(bytes: &[u8], at: usize) -> Option<usize> {
    bytes.get(..at)?.iter().rposition(|b| !b.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::{object_end, object_start};

    #[test]
    fn finds_the_braces_around_the_values() {
        let text = r#"{"data": { "id" : "in_1", "n": [1, {"x": "}"}] } }"#;
        let first = text.find("\"in_1\"").unwrap();
        let last = text.find("[1").unwrap() + r#"[1, {"x": "}"}]"#.len();
        let (start, end) = (
            object_start(text, first).unwrap(),
            object_end(text, last).unwrap(),
        );
        assert_eq!(&text[start..end], r#"{ "id" : "in_1", "n": [1, {"x": "}"}] }"#);
        // A first key with escaped quotes and backslashes in it.
        let text = r#"{"o":{"a\"b\\":1}}"#;
        assert_eq!(object_start(text, text.find('1').unwrap()), Some(5));
        assert_eq!(object_end(text, text.find('1').unwrap() + 1), Some(17));
    }

    #[test]
    fn says_none_rather_than_guessing() {
        assert_eq!(object_start("1", 0), None);
        assert_eq!(object_start(r#"["a", 1]"#, 6), None);
        assert_eq!(object_end("[1]", 2), None);
        assert_eq!(object_end("1", 5), None);
    }
}
