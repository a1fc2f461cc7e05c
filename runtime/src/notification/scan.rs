//! The `id` and `object` of a snapshot event's `data.object`, read from its JSON text without
//! parsing the rest: Stripe writes both first in every resource, so reading them costs a few
//! bytes where a parse of the object costs its whole length (kilobytes, for an invoice).

/// A string value found at the top level of a JSON object.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Found<'a> {
    /// A string without escapes, pointing into the object's text.
    Borrowed(&'a str),
    /// A string with escapes, decoded.
    Decoded(String),
    /// A value that is not a string (`null` included).
    NotAString,
}

/// The top-level `id` and `object` of `object`, the text of a JSON object that serde_json has
/// already checked is valid JSON. Stops once both are found. A key sent twice keeps its first
/// value (serde_json, which read the text, rejects nothing at this depth).
pub(super) fn id_and_object(object: &str) -> (Option<Found<'_>>, Option<Found<'_>>) {
    let mut cursor = Cursor { text: object, at: 0 };
    let (mut id, mut kind) = (None, None);
    cursor.blank();
    if cursor.peek() != Some(b'{') {
        return (None, None);
    }
    cursor.advance(1);
    while id.is_none() || kind.is_none() {
        cursor.blank();
        let Some((key, _)) = cursor.string() else {
            break;
        };
        cursor.blank();
        cursor.advance(1); // `:`
        cursor.blank();
        let slot = match key {
            "id" if id.is_none() => &mut id,
            "object" if kind.is_none() => &mut kind,
            _ => {
                if cursor.skip_value().is_none() {
                    break;
                }
                cursor.blank();
                cursor.advance(1); // `,` or `}`
                continue;
            }
        };
        let start = cursor.at;
        let value = match cursor.string() {
            Some((text, false)) => Found::Borrowed(text),
            Some((_, true)) => object
                .get(start..cursor.at)
                .and_then(|quoted| serde_json::from_str::<String>(quoted).ok())
                .map_or(Found::NotAString, Found::Decoded),
            None => {
                if cursor.skip_value().is_none() {
                    break;
                }
                Found::NotAString
            }
        };
        *slot = Some(value);
        cursor.blank();
        cursor.advance(1); // `,` or `}`
    }
    (id, kind)
}

/// A position in valid JSON text.
struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn advance(&mut self, bytes: usize) {
        self.at = self.at.saturating_add(bytes);
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// Skips whitespace.
    fn blank(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.advance(1);
        }
    }

    /// The string starting here (its content, and whether it has escapes), the cursor moved past
    /// it; `None`, unmoved, when no string starts here.
    fn string(&mut self) -> Option<(&'a str, bool)> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.at.saturating_add(1);
        let mut escaped = false;
        let mut at = start;
        loop {
            match self.text.as_bytes().get(at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    at = at.saturating_add(2);
                }
                _ => at = at.saturating_add(1),
            }
        }
        self.at = at.saturating_add(1);
        Some((self.text.get(start..at)?, escaped))
    }

    /// Skips the value starting here; `None` when the text ends first.
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth = depth.saturating_add(1),
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                self.advance(1);
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.advance(1);
                }
            }
            _ => {
                while !matches!(self.peek()?, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    self.advance(1);
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Found, id_and_object};

    #[test]
    fn finds_both_wherever_they_are() {
        assert_eq!(
            id_and_object(r#"{"id":"in_1","object":"invoice","lines":{"data":[]}}"#),
            (Some(Found::Borrowed("in_1")), Some(Found::Borrowed("invoice")))
        );
        assert_eq!(
            id_and_object(
                r#" { "a" : [1, {"id": "x"}, "}"], "b": {"object": "no"}, "n": -1.5e3, "t": true,
                "object" : "card" , "id": "card_\"1\"" } "#
            ),
            (
                Some(Found::Decoded("card_\"1\"".into())),
                Some(Found::Borrowed("card"))
            )
        );
    }

    #[test]
    fn reports_what_is_missing_or_not_a_string() {
        assert_eq!(
            id_and_object(r#"{"object":"balance"}"#),
            (None, Some(Found::Borrowed("balance")))
        );
        assert_eq!(
            id_and_object(r#"{"id":null,"object":7}"#),
            (Some(Found::NotAString), Some(Found::NotAString))
        );
        assert_eq!(id_and_object("[1]"), (None, None));
        assert_eq!(id_and_object(r#"{"id":"x""#), (Some(Found::Borrowed("x")), None));
        assert_eq!(id_and_object(""), (None, None));
    }
}
