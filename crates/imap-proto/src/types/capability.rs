//! Capability names (RFC 9051 §7.2.2 and the extensions).

use mail_core::sasl::Mechanism;

use super::parser::{Encode, Encoder, PResult, Parser, parse_all};
use super::string::{Atom, short_text};
use crate::error::ParseError;

macro_rules! capabilities {
    ($( $(#[$doc:meta])* $variant:ident => $name:literal, )*) => {
        /// A capability name, as `CAPABILITY` lists it and `ENABLE` names it
        /// (RFC 9051 §7.2.2, §6.3.1).
        ///
        /// ```abnf
        /// capability = ("AUTH=" auth-type) / atom
        /// ```
        ///
        /// Names are matched case-insensitively and encoded in their canonical case;
        /// [`Capability::Other`] keeps unknown names as sent (it must not hold a known one).
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Capability {
            $( $(#[$doc])* $variant, )*
            /// `AUTH=mechanism` (RFC 9051 §6.2.2).
            Auth(Mechanism),
            /// Any other capability, as sent.
            Other(Atom),
        }

        impl Capability {
            fn known(name: &[u8]) -> Option<Self> {
                $( if name.eq_ignore_ascii_case($name.as_bytes()) { return Some(Self::$variant); } )*
                None
            }

            /// Returns the capability's name in canonical case.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $name, )*
                    Self::Auth(_) => "AUTH",
                    Self::Other(a) => a.as_str(),
                }
            }
        }
    };
}

capabilities! {
    /// `IMAP4rev1` (RFC 3501).
    Imap4rev1 => "IMAP4rev1",
    /// `IMAP4rev2` (RFC 9051).
    Imap4rev2 => "IMAP4rev2",
    /// `STARTTLS` (RFC 9051 §6.2.1).
    StartTls => "STARTTLS",
    /// `LOGINDISABLED` (RFC 9051 §6.2.3).
    LoginDisabled => "LOGINDISABLED",
    /// `SASL-IR` (RFC 4959).
    SaslIr => "SASL-IR",
    /// `LITERAL+` (RFC 7888).
    LiteralPlus => "LITERAL+",
    /// `LITERAL-` (RFC 7888).
    LiteralMinus => "LITERAL-",
    /// `BINARY` (RFC 3516).
    Binary => "BINARY",
    /// `ENABLE` (RFC 5161).
    Enable => "ENABLE",
    /// `CONDSTORE` (RFC 7162).
    CondStore => "CONDSTORE",
    /// `QRESYNC` (RFC 7162).
    QResync => "QRESYNC",
    /// `SPECIAL-USE` (RFC 6154).
    SpecialUse => "SPECIAL-USE",
    /// `CREATE-SPECIAL-USE` (RFC 6154).
    CreateSpecialUse => "CREATE-SPECIAL-USE",
    /// `LIST-EXTENDED` (RFC 5258).
    ListExtended => "LIST-EXTENDED",
    /// `LIST-STATUS` (RFC 5819).
    ListStatus => "LIST-STATUS",
    /// `NAMESPACE` (RFC 2342).
    Namespace => "NAMESPACE",
    /// `UNSELECT` (RFC 3691).
    Unselect => "UNSELECT",
    /// `UIDPLUS` (RFC 4315).
    UidPlus => "UIDPLUS",
    /// `ESEARCH` (RFC 4731).
    ESearch => "ESEARCH",
    /// `SEARCHRES` (RFC 5182).
    SearchRes => "SEARCHRES",
    /// `MOVE` (RFC 6851).
    Move => "MOVE",
    /// `IDLE` (RFC 2177).
    Idle => "IDLE",
    /// `ID` (RFC 2971).
    Id => "ID",
    /// `QUOTA` (RFC 9208).
    Quota => "QUOTA",
    /// `SORT` (RFC 5256).
    Sort => "SORT",
    /// `THREAD=ORDEREDSUBJECT` (RFC 5256).
    ThreadOrderedSubject => "THREAD=ORDEREDSUBJECT",
    /// `THREAD=REFERENCES` (RFC 5256).
    ThreadReferences => "THREAD=REFERENCES",
    /// `COMPRESS=DEFLATE` (RFC 4978).
    CompressDeflate => "COMPRESS=DEFLATE",
    /// `METADATA` (RFC 5464).
    Metadata => "METADATA",
    /// `METADATA-SERVER` (RFC 5464).
    MetadataServer => "METADATA-SERVER",
    /// `UTF8=ACCEPT` (RFC 6855).
    Utf8Accept => "UTF8=ACCEPT",
    /// `UTF8=ONLY` (RFC 6855).
    Utf8Only => "UTF8=ONLY",
    /// `STATUS=SIZE` (RFC 8438).
    StatusSize => "STATUS=SIZE",
    /// `CHILDREN` (RFC 3348).
    Children => "CHILDREN",
    /// `MULTIAPPEND` (RFC 3502).
    MultiAppend => "MULTIAPPEND",
    /// `UNAUTHENTICATE` (RFC 8437).
    Unauthenticate => "UNAUTHENTICATE",
    /// `OBJECTID` (RFC 8474).
    ObjectId => "OBJECTID",
}

impl Capability {
    /// Parses a whole input as a capability.
    ///
    /// # Errors
    /// [`ParseError`] when the input is not an atom (or `AUTH=` with an invalid mechanism).
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        parse_all(input, Self::read)
    }

    pub(crate) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let name = p.atom()?;
        // A known name needs no atom built (nor its text checked again).
        if let Some(known) = Self::known(name) {
            return Ok(known);
        }
        Self::from_other_atom(Atom(short_text(name))).map_err(|_| p.invalid(at, "AUTH= mechanism"))
    }

    /// Returns the typed capability for an atom.
    ///
    /// # Errors
    /// [`ParseError`] (offset 0) for `AUTH=` followed by an invalid mechanism name.
    pub fn from_atom(atom: Atom) -> Result<Self, ParseError> {
        if let Some(known) = Self::known(atom.as_str().as_bytes()) {
            return Ok(known);
        }
        Self::from_other_atom(atom)
    }

    /// [`from_atom`](Self::from_atom) for an atom that names no capability of the list.
    fn from_other_atom(atom: Atom) -> Result<Self, ParseError> {
        let name = atom.as_str();
        if name.len() > 5
            && name
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("AUTH="))
        {
            let mech = name.get(5..).unwrap_or_default();
            return mech
                .parse::<Mechanism>()
                .map(Self::Auth)
                .map_err(|_| ParseError::syntax(5, "sasl-mech"));
        }
        Ok(Self::Other(atom))
    }
}

impl Encode for Capability {
    fn encode(&self, out: &mut Encoder) {
        match self {
            Self::Auth(m) => {
                out.raw(b"AUTH=");
                out.raw(m.as_str().as_bytes());
            }
            other => out.raw(other.as_str().as_bytes()),
        }
    }
}

impl core::fmt::Display for Capability {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_wire()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown() {
        assert_eq!(
            Capability::parse(b"imap4REV2").unwrap(),
            Capability::Imap4rev2
        );
        assert_eq!(
            Capability::parse(b"LITERAL+").unwrap(),
            Capability::LiteralPlus
        );
        assert_eq!(
            Capability::parse(b"auth=plain").unwrap(),
            Capability::Auth(Mechanism::Plain)
        );
        assert_eq!(
            Capability::parse(b"AUTH=PLAIN").unwrap().to_string(),
            "AUTH=PLAIN"
        );
        let x = Capability::parse(b"XFOO").unwrap();
        assert!(matches!(x, Capability::Other(_)));
        assert_eq!(x.to_string(), "XFOO");
        assert!(Capability::parse(b"AUTH=").is_ok_and(|c| matches!(c, Capability::Other(_))));
        assert!(Capability::parse(b"AUTH=a b").is_err());
    }
}
