//! SASLprep (RFC 4013), as far as it goes without Unicode normalisation tables.
//!
//! SCRAM prepares user names and passwords with SASLprep (RFC 5802 §5.1, §2.2 `Normalize`).
//! What [`saslprep`] does, step by step of RFC 4013 §2:
//!
//! | step | RFC 4013 | covered |
//! |------|----------|---------|
//! | map non-ASCII spaces to SPACE | §2.1, StringPrep C.1.2 | fully |
//! | map "commonly mapped to nothing" to nothing | §2.1, StringPrep B.1 | fully |
//! | normalise to NFKC | §2.2 | **no** — see below |
//! | prohibit C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8, C.9 | §2.3 | fully (C.5 cannot occur in a Rust `str`) |
//! | bidirectional check | §2.4, StringPrep §6 | approximately — see below |
//! | unassigned code points | §2.5, StringPrep A.1 | allowed, as for a "query" string (RFC 5802 §5.1) |
//!
//! **Not covered: NFKC.** Strings are not normalised, so compatibility characters stay as
//! they are: `ª` (U+00AA) is not turned into `a`, nor `Ⅸ` (U+2168) into `IX`
//! (RFC 4013 §3 examples 4 and 5). Strings already in NFKC — all ASCII, and most text typed
//! on a keyboard in composed form — come out exactly as RFC 4013 prescribes. A peer that
//! normalises and one that does not agree whenever the input is already NFKC.
//!
//! **Approximated: the bidirectional check.** "RandALCat" is approximated by the Hebrew,
//! Arabic, Syriac, Thaana, NKo, Samaritan and Mandaic blocks (U+0590–U+08FF), the Hebrew and
//! Arabic presentation forms (U+FB1D–U+FDFF, U+FE70–U+FEFE) and the supplementary
//! right-to-left blocks (U+10800–U+10FFF, U+1E800–U+1EFFF), minus their combining marks and
//! digits; "LCat" by [`char::is_alphabetic`] outside those ranges. The rules of StringPrep §6
//! are then applied exactly: no LCat with RandALCat, and a RandALCat string starts and ends
//! with RandALCat (RFC 4013 §3 example 7 is rejected).

/// A string that SASLprep (RFC 4013 §2.3, §2.4) prohibits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslPrepError {
    /// The string holds a prohibited character (RFC 4013 §2.3).
    #[error("prohibited character U+{:04X} at byte {offset}", *character as u32)]
    Prohibited {
        /// The character.
        character: char,
        /// Its byte offset in the input.
        offset: usize,
    },
    /// The string mixes left-to-right and right-to-left text, or a right-to-left string
    /// does not start and end with a right-to-left character (RFC 4013 §2.4).
    #[error("bidirectional check failed")]
    Bidirectional,
    /// The prepared string is empty (RFC 5802 §5.1: the exchange SHOULD be aborted).
    #[error("empty string after preparation")]
    Empty,
}

/// Returns `input` prepared with SASLprep (RFC 4013), within the limits the module
/// documentation lists (no NFKC; approximate bidirectional classes).
///
/// An empty result is returned as it is; callers that need a non-empty string check it
/// (see [`SaslPrepError::Empty`]).
///
/// ```
/// use mail_core::sasl::saslprep::saslprep;
/// assert_eq!(saslprep("I\u{AD}X").unwrap(), "IX");   // RFC 4013 §3 example 1
/// assert_eq!(saslprep("user").unwrap(), "user");     // example 2
/// assert!(saslprep("\u{7}").is_err());               // example 6
/// assert!(saslprep("\u{627}1").is_err());            // example 7
/// ```
///
/// # Errors
/// [`SaslPrepError::Prohibited`] or [`SaslPrepError::Bidirectional`].
pub fn saslprep(input: &str) -> Result<String, SaslPrepError> {
    // Fast path: printable ASCII maps to itself and passes every check.
    if input.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Ok(input.to_owned());
    }
    let mut out = String::with_capacity(input.len());
    for (offset, c) in input.char_indices() {
        // §2.1 mapping. U+200B is in both B.1 and C.1.2; the B.1 removal is applied first,
        // as most implementations do, so a ZERO WIDTH SPACE disappears.
        if is_mapped_to_nothing(c) {
            continue;
        }
        let c = if is_non_ascii_space(c) { ' ' } else { c };
        if is_prohibited(c) {
            return Err(SaslPrepError::Prohibited {
                character: c,
                offset,
            });
        }
        out.push(c);
    }
    check_bidi(&out)?;
    Ok(out)
}

/// StringPrep B.1: commonly mapped to nothing.
fn is_mapped_to_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{1806}'
            | '\u{180B}'..='\u{180D}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// StringPrep C.1.2: non-ASCII space characters.
fn is_non_ascii_space(c: char) -> bool {
    matches!(
        c,
        '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// RFC 4013 §2.3: StringPrep C.2.1 to C.9 (C.1.2 is mapped away before this is asked).
fn is_prohibited(c: char) -> bool {
    let cp = u32::from(c);
    // C.4: the last two code points of every plane are non-characters.
    if cp & 0xFFFE == 0xFFFE {
        return true;
    }
    matches!(
        c,
        // C.2.1 ASCII control characters
        '\u{0}'..='\u{1F}' | '\u{7F}'
        // C.2.2 non-ASCII control characters
        | '\u{80}'..='\u{9F}'
        | '\u{6DD}'
        | '\u{70F}'
        | '\u{180E}'
        | '\u{200C}'
        | '\u{200D}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{2060}'..='\u{2063}'
        | '\u{206A}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFC}'
        | '\u{1D173}'..='\u{1D17A}'
        // C.3 private use
        | '\u{E000}'..='\u{F8FF}'
        | '\u{F0000}'..='\u{FFFFD}'
        | '\u{100000}'..='\u{10FFFD}'
        // C.4 non-character code points (besides xFFFE/xFFFF above)
        | '\u{FDD0}'..='\u{FDEF}'
        // C.6 inappropriate for plain text
        | '\u{FFFD}'
        // C.7 inappropriate for canonical representation
        | '\u{2FF0}'..='\u{2FFB}'
        // C.8 change display properties or deprecated
        | '\u{340}'
        | '\u{341}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        // C.9 tagging characters
        | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}'
    )
}

/// Approximation of StringPrep D.1 (characters with bidi class R or AL).
fn is_rand_al(c: char) -> bool {
    let in_rtl_block = matches!(
        c,
        '\u{590}'..='\u{8FF}'
            | '\u{FB1D}'..='\u{FDFF}'
            | '\u{FE70}'..='\u{FEFE}'
            | '\u{10800}'..='\u{10FFF}'
            | '\u{1E800}'..='\u{1EFFF}'
    );
    // Combining marks (bidi NSM) and digits (AN/EN) inside those blocks are not R/AL.
    let mark_or_digit = matches!(
        c,
        '\u{591}'..='\u{5BD}'
            | '\u{5BF}'
            | '\u{5C1}'..='\u{5C2}'
            | '\u{5C4}'..='\u{5C5}'
            | '\u{5C7}'
            | '\u{610}'..='\u{61A}'
            | '\u{64B}'..='\u{65F}'
            | '\u{660}'..='\u{669}'
            | '\u{670}'
            | '\u{6D6}'..='\u{6DC}'
            | '\u{6DF}'..='\u{6E4}'
            | '\u{6E7}'..='\u{6E8}'
            | '\u{6EA}'..='\u{6ED}'
            | '\u{6F0}'..='\u{6F9}'
            | '\u{FD3E}'..='\u{FD3F}'
    );
    in_rtl_block && !mark_or_digit
}

/// StringPrep §6 on the mapped string.
fn check_bidi(s: &str) -> Result<(), SaslPrepError> {
    if !s.chars().any(is_rand_al) {
        return Ok(());
    }
    // §6 rule 2: no LCat in a string with RandALCat.
    if s.chars().any(|c| c.is_alphabetic() && !is_rand_al(c)) {
        return Err(SaslPrepError::Bidirectional);
    }
    // §6 rule 3: a RandALCat string starts and ends with RandALCat.
    let first = s.chars().next().is_some_and(is_rand_al);
    let last = s.chars().next_back().is_some_and(is_rand_al);
    if first && last {
        Ok(())
    } else {
        Err(SaslPrepError::Bidirectional)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4013_section3_examples_within_scope() {
        assert_eq!(saslprep("I\u{AD}X").unwrap(), "IX");
        assert_eq!(saslprep("user").unwrap(), "user");
        assert_eq!(saslprep("USER").unwrap(), "USER");
        assert_eq!(
            saslprep("\u{7}"),
            Err(SaslPrepError::Prohibited {
                character: '\u{7}',
                offset: 0
            })
        );
        assert_eq!(saslprep("\u{627}\u{31}"), Err(SaslPrepError::Bidirectional));
    }

    #[test]
    fn non_ascii_spaces_map_to_space() {
        assert_eq!(saslprep("a\u{A0}b\u{3000}c").unwrap(), "a b c");
    }

    #[test]
    fn prohibited_classes_are_rejected() {
        for c in [
            '\u{0}',
            '\u{85}',
            '\u{E000}',
            '\u{FFFF}',
            '\u{1FFFE}',
            '\u{FFFD}',
            '\u{2FF0}',
            '\u{200E}',
            '\u{E0001}',
        ] {
            assert!(saslprep(&format!("a{c}")).is_err(), "{c:?}");
        }
    }

    #[test]
    fn right_to_left_strings() {
        assert_eq!(saslprep("\u{5D0}\u{5D1}").unwrap(), "\u{5D0}\u{5D1}");
        assert_eq!(saslprep("\u{627}1\u{628}").unwrap(), "\u{627}1\u{628}");
        assert_eq!(
            saslprep("\u{627}a\u{628}"),
            Err(SaslPrepError::Bidirectional)
        );
    }
}
