//! FETCH attributes and STORE actions (RFC 9051 §6.4.5, §6.4.6; RFC 3516; RFC 7162).

use core::num::NonZeroU32;

use crate::types::parser::{PResult, Parser, class, kw};
use crate::types::{Encode, Encoder, Flag, Partial, Section, encode_part};

/// A FETCH data item (RFC 9051 §6.4.5).
///
/// ```abnf
/// fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" /
///             "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /          ; RFC 3501
///             "RFC822.SIZE" / "BODY" ["STRUCTURE"] / "UID" /
///             "BODY" section [partial] / "BODY.PEEK" section [partial] /
///             "BINARY" [".PEEK"] section-binary [partial] /
///             "BINARY.SIZE" section-binary
/// fetch-att =/ "MODSEQ"                                           ; RFC 7162
/// fetch-att =/ "EMAILID" / "THREADID"                             ; RFC 8474 §7
/// fetch-att =/ "SAVEDATE"                                         ; RFC 8514 §4
/// fetch-att =/ "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"] ; RFC 8970 §7
/// preview-mod =/ "LAZY"                                           ; RFC 8970 §7
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FetchAttribute {
    /// `ENVELOPE`.
    Envelope,
    /// `FLAGS`.
    Flags,
    /// `INTERNALDATE`.
    InternalDate,
    /// `RFC822` (RFC 3501; `BODY[]`).
    Rfc822,
    /// `RFC822.HEADER` (RFC 3501; `BODY.PEEK[HEADER]`).
    Rfc822Header,
    /// `RFC822.SIZE`.
    Rfc822Size,
    /// `RFC822.TEXT` (RFC 3501; `BODY[TEXT]`).
    Rfc822Text,
    /// `BODY`: the non-extensible body structure.
    Body,
    /// `BODYSTRUCTURE`.
    BodyStructure,
    /// `UID`.
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[section]<partial>`.
    BodySection {
        /// `BODY.PEEK`: do not set `\Seen`.
        peek: bool,
        /// The section.
        section: Section,
        /// The octet range.
        partial: Option<Partial>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[part]<partial>` (RFC 3516, RFC 9051).
    Binary {
        /// `BINARY.PEEK`.
        peek: bool,
        /// The part numbers (empty for the whole message).
        part: Vec<NonZeroU32>,
        /// The octet range.
        partial: Option<Partial>,
    },
    /// `BINARY.SIZE[part]`.
    BinarySize {
        /// The part numbers.
        part: Vec<NonZeroU32>,
    },
    /// `MODSEQ` (RFC 7162).
    ModSeq,
    /// `EMAILID` (RFC 8474).
    EmailId,
    /// `THREADID` (RFC 8474).
    ThreadId,
    /// `SAVEDATE` (RFC 8514 §4): when the message was saved in this mailbox.
    SaveDate,
    /// `PREVIEW` or `PREVIEW (LAZY)` (RFC 8970 §3): a short plain-text preview.
    Preview {
        /// `LAZY` (RFC 8970 §3.2): the server may answer NIL rather than compute the
        /// preview now.
        lazy: bool,
    },
}

/// What a FETCH asks for: a macro or a list of attributes (RFC 9051 §6.4.5).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FetchItems {
    /// `ALL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`.
    All,
    /// `FAST`: `(FLAGS INTERNALDATE RFC822.SIZE)`.
    Fast,
    /// `FULL`: `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`.
    Full,
    /// One or more attributes; one is sent without parentheses.
    Attributes(Vec<FetchAttribute>),
}

impl FetchItems {
    /// Returns the attributes a macro stands for, or the list itself.
    pub fn expand(&self) -> Vec<FetchAttribute> {
        use FetchAttribute as A;
        match self {
            Self::All => vec![A::Flags, A::InternalDate, A::Rfc822Size, A::Envelope],
            Self::Fast => vec![A::Flags, A::InternalDate, A::Rfc822Size],
            Self::Full => vec![
                A::Flags,
                A::InternalDate,
                A::Rfc822Size,
                A::Envelope,
                A::Body,
            ],
            Self::Attributes(a) => a.clone(),
        }
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        if p.peek() == Some(b'(') {
            return p
                .list_sized(true, FetchAttribute::read)
                .map(Self::Attributes);
        }
        let save = p.pos();
        let (_, w) = p.take_keyword(class::ALNUM_DOT);
        const K_ALL: u128 = kw(b"ALL");
        const K_FAST: u128 = kw(b"FAST");
        const K_FULL: u128 = kw(b"FULL");
        match w.0 {
            K_ALL => Ok(Self::All),
            K_FAST => Ok(Self::Fast),
            K_FULL => Ok(Self::Full),
            _ => {
                p.seek(save);
                FetchAttribute::read(p).map(|a| Self::Attributes(vec![a]))
            }
        }
    }
}

/// Returns whether the `(` at the cursor opens PREVIEW's `preview-mod` list: LAZY, RFC
/// 8970's only modifier, comes first. Anything else is left to the command's
/// `fetch-modifiers` (RFC 4466 §2.4), as in `FETCH 1 PREVIEW (CHANGEDSINCE 5)`. Does not
/// move the cursor.
fn starts_preview_mods(p: &mut Parser<'_>) -> bool {
    let save = p.pos();
    p.advance(1);
    p.eat_sp();
    let lazy = p.keyword(b"LAZY");
    p.seek(save);
    lazy
}

impl FetchAttribute {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let (_, w) = p.take_keyword(class::ALNUM_DOT);
        let partial = |p: &mut Parser<'_>| -> PResult<Option<Partial>> {
            if p.peek() == Some(b'<') {
                Partial::read(p).map(Some)
            } else {
                Ok(None)
            }
        };
        const K_ENVELOPE: u128 = kw(b"ENVELOPE");
        const K_FLAGS: u128 = kw(b"FLAGS");
        const K_INTERNALDATE: u128 = kw(b"INTERNALDATE");
        const K_RFC822: u128 = kw(b"RFC822");
        const K_RFC822_HEADER: u128 = kw(b"RFC822.HEADER");
        const K_RFC822_SIZE: u128 = kw(b"RFC822.SIZE");
        const K_RFC822_TEXT: u128 = kw(b"RFC822.TEXT");
        const K_BODY: u128 = kw(b"BODY");
        const K_BODY_PEEK: u128 = kw(b"BODY.PEEK");
        const K_BODYSTRUCTURE: u128 = kw(b"BODYSTRUCTURE");
        const K_UID: u128 = kw(b"UID");
        const K_BINARY: u128 = kw(b"BINARY");
        const K_BINARY_PEEK: u128 = kw(b"BINARY.PEEK");
        const K_BINARY_SIZE: u128 = kw(b"BINARY.SIZE");
        const K_MODSEQ: u128 = kw(b"MODSEQ");
        const K_EMAILID: u128 = kw(b"EMAILID");
        const K_THREADID: u128 = kw(b"THREADID");
        const K_SAVEDATE: u128 = kw(b"SAVEDATE");
        const K_PREVIEW: u128 = kw(b"PREVIEW");
        Ok(match w.0 {
            K_ENVELOPE => Self::Envelope,
            K_FLAGS => Self::Flags,
            K_INTERNALDATE => Self::InternalDate,
            K_RFC822 => Self::Rfc822,
            K_RFC822_HEADER => Self::Rfc822Header,
            K_RFC822_SIZE => Self::Rfc822Size,
            K_RFC822_TEXT => Self::Rfc822Text,
            K_BODY if p.peek() == Some(b'[') => {
                let section = Section::read(p)?;
                Self::BodySection {
                    peek: false,
                    section,
                    partial: partial(p)?,
                }
            }
            K_BODY => Self::Body,
            K_BODY_PEEK => {
                let section = Section::read(p)?;
                Self::BodySection {
                    peek: true,
                    section,
                    partial: partial(p)?,
                }
            }
            K_BODYSTRUCTURE => Self::BodyStructure,
            K_UID => Self::Uid,
            K_BINARY | K_BINARY_PEEK => {
                let part = Section::read_binary(p)?;
                Self::Binary {
                    peek: w.0 == K_BINARY_PEEK,
                    part,
                    partial: partial(p)?,
                }
            }
            K_BINARY_SIZE => Self::BinarySize {
                part: Section::read_binary(p)?,
            },
            K_MODSEQ => Self::ModSeq,
            K_EMAILID => Self::EmailId,
            K_THREADID => Self::ThreadId,
            K_SAVEDATE => Self::SaveDate,
            K_PREVIEW => {
                let save = p.pos();
                let mut lazy = false;
                // `FETCH 1 PREVIEW (CHANGEDSINCE 5)`: a parenthesis after PREVIEW may open the
                // command's fetch-modifiers instead; only LAZY starts a preview-mod list.
                if p.eat_sp() && p.peek() == Some(b'(') && starts_preview_mods(p) {
                    p.list(true, |p| {
                        // `preview-mod` is extensible, but LAZY is its only value: an
                        // unknown modifier is refused here, as a server must (RFC 8970 §3).
                        p.expect_keyword(b"LAZY", "preview-mod")?;
                        lazy = true;
                        Ok(())
                    })?;
                } else {
                    p.seek(save);
                }
                Self::Preview { lazy }
            }
            _ => return Err(crate::error::ParseError::syntax(at, "fetch-att")),
        })
    }
}

impl Encode for FetchAttribute {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Envelope => out.raw(b"ENVELOPE"),
            Self::Flags => out.raw(b"FLAGS"),
            Self::InternalDate => out.raw(b"INTERNALDATE"),
            Self::Rfc822 => out.raw(b"RFC822"),
            Self::Rfc822Header => out.raw(b"RFC822.HEADER"),
            Self::Rfc822Size => out.raw(b"RFC822.SIZE"),
            Self::Rfc822Text => out.raw(b"RFC822.TEXT"),
            Self::Body => out.raw(b"BODY"),
            Self::BodyStructure => out.raw(b"BODYSTRUCTURE"),
            Self::Uid => out.raw(b"UID"),
            Self::BodySection {
                peek,
                section,
                partial,
            } => {
                out.raw(if *peek { b"BODY.PEEK" } else { b"BODY" });
                section.encode(out);
                if let Some(p) = partial {
                    p.encode(out);
                }
            }
            Self::Binary {
                peek,
                part,
                partial,
            } => {
                out.raw(if *peek { b"BINARY.PEEK[" } else { b"BINARY[" });
                encode_part(part, out);
                out.raw(b"]");
                if let Some(p) = partial {
                    p.encode(out);
                }
            }
            Self::BinarySize { part } => {
                out.raw(b"BINARY.SIZE[");
                encode_part(part, out);
                out.raw(b"]");
            }
            Self::ModSeq => out.raw(b"MODSEQ"),
            Self::EmailId => out.raw(b"EMAILID"),
            Self::ThreadId => out.raw(b"THREADID"),
            Self::SaveDate => out.raw(b"SAVEDATE"),
            Self::Preview { lazy: false } => out.raw(b"PREVIEW"),
            Self::Preview { lazy: true } => out.raw(b"PREVIEW (LAZY)"),
        }
    }
}

impl Encode for FetchItems {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::All => out.raw(b"ALL"),
            Self::Fast => out.raw(b"FAST"),
            Self::Full => out.raw(b"FULL"),
            Self::Attributes(a) => match a.as_slice() {
                [one] => one.encode(out),
                many => {
                    out.raw(b"(");
                    for (i, a) in many.iter().enumerate() {
                        if i > 0 {
                            out.sp();
                        }
                        a.encode(out);
                    }
                    out.raw(b")");
                }
            },
        }
    }
}

/// The modifiers of FETCH (RFC 7162 §3.1.4, §3.2.6; RFC 4466 §2.4).
///
/// ```abnf
/// fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
/// fetch-modifier  =/ chgsince-fetch-mod / "VANISHED"
/// chgsince-fetch-mod = "CHANGEDSINCE" SP mod-sequence-valzer
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FetchModifiers {
    /// `CHANGEDSINCE n` (CONDSTORE).
    pub changed_since: Option<u64>,
    /// `VANISHED` (QRESYNC, UID FETCH only).
    pub vanished: bool,
}

impl FetchModifiers {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let mut m = Self::default();
        p.list(true, |p| {
            if p.keyword(b"CHANGEDSINCE") {
                p.sp()?;
                m.changed_since = Some(p.number64()?);
                Ok(())
            } else if p.keyword(b"VANISHED") {
                m.vanished = true;
                Ok(())
            } else {
                Err(p.err("CHANGEDSINCE or VANISHED"))
            }
        })?;
        Ok(m)
    }

    pub(crate) const fn is_empty(&self) -> bool {
        self.changed_since.is_none() && !self.vanished
    }
}

impl Encode for FetchModifiers {
    fn encode(&self, out: &mut Encoder) {
        out.raw(b"(");
        if let Some(n) = self.changed_since {
            out.raw(b"CHANGEDSINCE ");
            out.number(n);
            if self.vanished {
                out.sp();
            }
        }
        if self.vanished {
            out.raw(b"VANISHED");
        }
        out.raw(b")");
    }
}

/// How STORE changes the flags (RFC 9051 §6.4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreMode {
    /// `FLAGS`: replace.
    Replace,
    /// `+FLAGS`: add.
    Add,
    /// `-FLAGS`: remove.
    Remove,
}

/// The flag change of a STORE (RFC 9051 §6.4.6).
///
/// ```abnf
/// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
/// ```
///
/// Flags are always encoded as a parenthesised list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StoreFlags {
    /// Replace, add or remove.
    pub mode: StoreMode,
    /// `.SILENT`: no untagged FETCH in answer.
    pub silent: bool,
    /// The flags.
    pub flags: Vec<Flag>,
}

impl StoreFlags {
    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let mode = if p.eat(b'+') {
            StoreMode::Add
        } else if p.eat(b'-') {
            StoreMode::Remove
        } else {
            StoreMode::Replace
        };
        let (_, w) = p.take_keyword(class::ALNUM_DOT);
        const K_FLAGS: u128 = kw(b"FLAGS");
        const K_FLAGS_SILENT: u128 = kw(b"FLAGS.SILENT");
        let silent = match w.0 {
            K_FLAGS => false,
            K_FLAGS_SILENT => true,
            _ => return Err(p.err("FLAGS or FLAGS.SILENT")),
        };
        p.sp()?;
        let flags = if p.peek() == Some(b'(') {
            p.list(false, Flag::read)?
        } else {
            let mut flags = vec![Flag::read(p)?];
            while p.eat_sp() && !p.at_end() {
                flags.push(Flag::read(p)?);
            }
            flags
        };
        Ok(Self {
            mode,
            silent,
            flags,
        })
    }
}

impl Encode for StoreFlags {
    fn encode(&self, out: &mut Encoder) {
        out.raw(match self.mode {
            StoreMode::Replace => b"",
            StoreMode::Add => b"+",
            StoreMode::Remove => b"-",
        });
        out.raw(if self.silent {
            b"FLAGS.SILENT ("
        } else {
            b"FLAGS ("
        });
        for (i, f) in self.flags.iter().enumerate() {
            if i > 0 {
                out.sp();
            }
            f.encode(out);
        }
        out.raw(b")");
    }
}
