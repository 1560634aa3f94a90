//! EHLO keywords: the typed capability list of an EHLO (or LHLO) reply (RFC 5321 §4.1.1.1).
//!
//! ```abnf
//! ehlo-ok-rsp  = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
//!              / ( "250-" Domain [ SP ehlo-greet ] CRLF
//!                  *( "250-" ehlo-line CRLF )
//!                  "250" SP ehlo-line CRLF )
//! ehlo-line    = ehlo-keyword *( SP ehlo-param )
//! ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
//! ehlo-param   = 1*(%d33-126)
//! ```
//!
//! Keywords are recognised case-insensitively (§4.1.1.1 "MUST always be recognized and
//! processed in a case-insensitive manner"); unknown keywords are kept with their parameters.

use mail_core::sasl::Mechanism;

use crate::error::ReplyError;
use crate::reply::{Reply, ReplyCode};

/// One EHLO keyword with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `SIZE [n]` (RFC 1870): the largest message accepted; `None` or `Some(0)` for no
    /// fixed limit.
    Size(Option<u64>),
    /// `PIPELINING` (RFC 2920).
    Pipelining,
    /// `8BITMIME` (RFC 6152).
    EightBitMime,
    /// `BINARYMIME` (RFC 3030).
    BinaryMime,
    /// `CHUNKING` (RFC 3030): `BDAT`.
    Chunking,
    /// `DSN` (RFC 3461).
    Dsn,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    EnhancedStatusCodes,
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `SMTPUTF8` (RFC 6531).
    SmtpUtf8,
    /// `AUTH mech …` (RFC 4954 §3).
    Auth(Vec<Mechanism>),
    /// `REQUIRETLS` (RFC 8689).
    RequireTls,
    /// `DELIVERBY [min-by-time]` (RFC 2852 §3).
    DeliverBy(Option<u64>),
    /// `FUTURERELEASE max-interval max-date-time` (RFC 4865 §3).
    FutureRelease {
        /// The longest `HOLDFOR`, in seconds.
        max_interval: u64,
        /// The latest `HOLDUNTIL`, as sent.
        max_date_time: String,
    },
    /// `MT-PRIORITY [profile]` (RFC 6710 §5).
    MtPriority(Option<String>),
    /// `LIMITS name=value …` (RFC 9422 §3): `RCPTMAX`, `MAILMAX`, `RCPTDOMAINMAX`, others.
    Limits(Vec<(String, u64)>),
    /// `HELP`.
    Help,
    /// `VRFY`.
    Vrfy,
    /// `EXPN`.
    Expn,
    /// `ETRN` (RFC 1985).
    Etrn,
    /// Any other keyword, upper-cased, with its parameters as sent.
    Other {
        /// The keyword.
        keyword: String,
        /// Its parameters.
        params: Vec<String>,
    },
}

/// Parses a number of at most 20 digits.
fn number(s: &str) -> Option<u64> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl Capability {
    /// Reads one `ehlo-line`.
    ///
    /// Tolerances: `AUTH=LOGIN PLAIN` (the pre-RFC 4954 form some servers still send next to
    /// the standard one) is read as `AUTH`; a known keyword whose parameters do not parse is
    /// kept as [`Capability::Other`] rather than failing the whole reply; runs of spaces
    /// separate parameters like one.
    ///
    /// # Errors
    /// [`ReplyError::Syntax`] when the line does not start with an `ehlo-keyword`.
    pub fn parse(line: &str) -> Result<Self, ReplyError> {
        let mut words = line.split(' ').filter(|w| !w.is_empty());
        let first = words.next().unwrap_or_default();
        let (keyword, first_param) = match first.split_once('=') {
            Some((k, p)) if k.eq_ignore_ascii_case("AUTH") => (k, Some(p)),
            _ => (first, None),
        };
        let valid = keyword
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
            && keyword
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(ReplyError::Syntax {
                offset: 0,
                expected: "ehlo-keyword",
            });
        }
        let params: Vec<&str> = first_param.into_iter().chain(words).collect();
        let upper = keyword.to_ascii_uppercase();
        let bare = params.is_empty();
        let typed = match (upper.as_str(), params.as_slice()) {
            ("SIZE", []) => Some(Self::Size(None)),
            ("SIZE", [n]) => number(n).map(|n| Self::Size(Some(n))),
            ("PIPELINING", _) if bare => Some(Self::Pipelining),
            ("8BITMIME", _) if bare => Some(Self::EightBitMime),
            ("BINARYMIME", _) if bare => Some(Self::BinaryMime),
            ("CHUNKING", _) if bare => Some(Self::Chunking),
            ("DSN", _) if bare => Some(Self::Dsn),
            ("ENHANCEDSTATUSCODES", _) if bare => Some(Self::EnhancedStatusCodes),
            ("STARTTLS", _) if bare => Some(Self::StartTls),
            ("SMTPUTF8", _) if bare => Some(Self::SmtpUtf8),
            ("REQUIRETLS", _) if bare => Some(Self::RequireTls),
            ("HELP", _) if bare => Some(Self::Help),
            ("VRFY", _) if bare => Some(Self::Vrfy),
            ("EXPN", _) if bare => Some(Self::Expn),
            ("ETRN", _) if bare => Some(Self::Etrn),
            ("AUTH", mechs) => mechs
                .iter()
                .map(|m| m.parse::<Mechanism>().ok())
                .collect::<Option<Vec<_>>>()
                .map(Self::Auth),
            ("DELIVERBY", []) => Some(Self::DeliverBy(None)),
            ("DELIVERBY", [n]) => number(n).map(|n| Self::DeliverBy(Some(n))),
            ("FUTURERELEASE", [interval, date]) => {
                number(interval).map(|max_interval| Self::FutureRelease {
                    max_interval,
                    max_date_time: (*date).to_owned(),
                })
            }
            ("MT-PRIORITY", []) => Some(Self::MtPriority(None)),
            ("MT-PRIORITY", [profile]) => Some(Self::MtPriority(Some((*profile).to_owned()))),
            ("LIMITS", limits) if !limits.is_empty() => limits
                .iter()
                .map(|l| {
                    let (name, value) = l.split_once('=')?;
                    Some((name.to_ascii_uppercase(), number(value)?))
                })
                .collect::<Option<Vec<_>>>()
                .map(Self::Limits),
            _ => None,
        };
        Ok(typed.unwrap_or_else(|| Self::Other {
            keyword: upper,
            params: params.iter().map(|p| (*p).to_owned()).collect(),
        }))
    }

    /// Returns the `ehlo-line` for this capability.
    pub fn to_line(&self) -> String {
        match self {
            Self::Size(None) => "SIZE".into(),
            Self::Size(Some(n)) => format!("SIZE {n}"),
            Self::Pipelining => "PIPELINING".into(),
            Self::EightBitMime => "8BITMIME".into(),
            Self::BinaryMime => "BINARYMIME".into(),
            Self::Chunking => "CHUNKING".into(),
            Self::Dsn => "DSN".into(),
            Self::EnhancedStatusCodes => "ENHANCEDSTATUSCODES".into(),
            Self::StartTls => "STARTTLS".into(),
            Self::SmtpUtf8 => "SMTPUTF8".into(),
            Self::Auth(mechs) => {
                let mut s = String::from("AUTH");
                for m in mechs {
                    s.push(' ');
                    s.push_str(m.as_str());
                }
                s
            }
            Self::RequireTls => "REQUIRETLS".into(),
            Self::DeliverBy(None) => "DELIVERBY".into(),
            Self::DeliverBy(Some(n)) => format!("DELIVERBY {n}"),
            Self::FutureRelease {
                max_interval,
                max_date_time,
            } => format!("FUTURERELEASE {max_interval} {max_date_time}"),
            Self::MtPriority(None) => "MT-PRIORITY".into(),
            Self::MtPriority(Some(p)) => format!("MT-PRIORITY {p}"),
            Self::Limits(limits) => {
                let mut s = String::from("LIMITS");
                for (name, value) in limits {
                    s.push_str(&format!(" {name}={value}"));
                }
                s
            }
            Self::Help => "HELP".into(),
            Self::Vrfy => "VRFY".into(),
            Self::Expn => "EXPN".into(),
            Self::Etrn => "ETRN".into(),
            Self::Other { keyword, params } => {
                let mut s = keyword.clone();
                for p in params {
                    s.push(' ');
                    s.push_str(p);
                }
                s
            }
        }
    }
}

/// A positive EHLO/LHLO reply, typed: the server's domain, its greeting and its keywords.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EhloReply {
    /// The domain on the first line.
    pub domain: String,
    /// The free text after the domain, if any (`ehlo-greet`).
    pub greeting: Option<String>,
    /// The keywords, in the order sent.
    pub capabilities: Vec<Capability>,
}

impl EhloReply {
    /// Reads a `250` reply to EHLO.
    ///
    /// Tolerance: a keyword line that is no `ehlo-line` (seen from broken middleboxes) is
    /// skipped rather than failing the whole reply: one bad line must not cost the client
    /// every extension.
    ///
    /// # Errors
    /// [`ReplyError::Syntax`] when the reply is not `250` or has no domain.
    pub fn from_reply(reply: &Reply) -> Result<Self, ReplyError> {
        if reply.code() != ReplyCode::OK {
            return Err(ReplyError::Syntax {
                offset: 0,
                expected: "250 reply to EHLO",
            });
        }
        let mut lines = reply.lines().iter();
        let first = lines.next().map(String::as_str).unwrap_or_default();
        let (domain, greeting) = match first.split_once(' ') {
            Some((d, g)) => (d, Some(g.to_owned())),
            None => (first, None),
        };
        if domain.is_empty() {
            return Err(ReplyError::Syntax {
                offset: 4,
                expected: "domain",
            });
        }
        Ok(Self {
            domain: domain.to_owned(),
            greeting,
            capabilities: lines.filter_map(|l| Capability::parse(l).ok()).collect(),
        })
    }

    /// Returns the `250` reply that announces this EHLO response.
    ///
    /// # Errors
    /// [`ReplyError::Text`] when the domain, greeting or a keyword holds a control character.
    pub fn to_reply(&self) -> Result<Reply, ReplyError> {
        let first = match &self.greeting {
            Some(g) => format!("{} {g}", self.domain),
            None => self.domain.clone(),
        };
        let lines: Vec<String> = core::iter::once(first)
            .chain(self.capabilities.iter().map(Capability::to_line))
            .collect();
        Reply::multiline(ReplyCode::OK, None, lines.iter().map(String::as_str))
    }

    /// Returns whether the server offers `cap` (compared by kind, ignoring parameters).
    pub fn has(&self, cap: &Capability) -> bool {
        self.capabilities
            .iter()
            .any(|c| core::mem::discriminant(c) == core::mem::discriminant(cap))
    }

    /// Returns the `SIZE` limit, when the server declared a non-zero one.
    pub fn size(&self) -> Option<u64> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::Size(Some(n)) if *n > 0 => Some(*n),
            _ => None,
        })
    }

    /// Returns the SASL mechanisms offered with `AUTH`, merged over every AUTH line.
    pub fn auth_mechanisms(&self) -> Vec<Mechanism> {
        let mut out: Vec<Mechanism> = Vec::new();
        for c in &self.capabilities {
            if let Capability::Auth(mechs) = c {
                for m in mechs {
                    if !out.contains(m) {
                        out.push(m.clone());
                    }
                }
            }
        }
        out
    }

    /// Returns the value of an RFC 9422 `LIMITS` entry, such as `RCPTMAX`.
    pub fn limit(&self, name: &str) -> Option<u64> {
        self.capabilities.iter().find_map(|c| match c {
            Capability::Limits(l) => l
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rfc5321_appendix_d_ehlo_reply() {
        let reply = Reply::parse(
            b"250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
        )
        .unwrap();
        let ehlo = EhloReply::from_reply(&reply).unwrap();
        assert_eq!(ehlo.domain, "foo.com");
        assert_eq!(ehlo.greeting.as_deref(), Some("greets bar.com"));
        assert_eq!(
            ehlo.capabilities,
            [
                Capability::EightBitMime,
                Capability::Size(None),
                Capability::Dsn,
                Capability::Help
            ]
        );
        assert_eq!(ehlo.size(), None);
    }

    #[test]
    fn reads_a_postfix_style_reply() {
        let reply = Reply::parse(
            b"250-mx.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n\
250-ETRN\r\n250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-AUTH=PLAIN LOGIN\r\n\
250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
        )
        .unwrap();
        let ehlo = EhloReply::from_reply(&reply).unwrap();
        assert_eq!(ehlo.size(), Some(10_240_000));
        assert!(ehlo.has(&Capability::Pipelining));
        assert!(ehlo.has(&Capability::Chunking));
        assert!(ehlo.has(&Capability::SmtpUtf8));
        assert_eq!(ehlo.auth_mechanisms(), [Mechanism::Plain, Mechanism::Login]);
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(
            Capability::parse("pipelining").unwrap(),
            Capability::Pipelining
        );
        assert_eq!(
            Capability::parse("auth scram-sha-256").unwrap(),
            Capability::Auth(vec![Mechanism::ScramSha256])
        );
    }

    #[test]
    fn reads_every_typed_keyword() {
        for (line, cap) in [
            ("SIZE 0", Capability::Size(Some(0))),
            ("BINARYMIME", Capability::BinaryMime),
            ("REQUIRETLS", Capability::RequireTls),
            ("DELIVERBY 240", Capability::DeliverBy(Some(240))),
            ("DELIVERBY", Capability::DeliverBy(None)),
            (
                "FUTURERELEASE 604800 2026-12-04T12:00:00Z",
                Capability::FutureRelease {
                    max_interval: 604_800,
                    max_date_time: "2026-12-04T12:00:00Z".into(),
                },
            ),
            (
                "MT-PRIORITY MIXER",
                Capability::MtPriority(Some("MIXER".into())),
            ),
            (
                "LIMITS RCPTMAX=20 MAILMAX=5",
                Capability::Limits(vec![("RCPTMAX".into(), 20), ("MAILMAX".into(), 5)]),
            ),
            ("EXPN", Capability::Expn),
            ("ETRN", Capability::Etrn),
            ("VRFY", Capability::Vrfy),
        ] {
            assert_eq!(Capability::parse(line).unwrap(), cap, "{line}");
            assert_eq!(Capability::parse(&cap.to_line()).unwrap(), cap, "{line}");
        }
    }

    #[test]
    fn unknown_or_malformed_keywords_are_kept() {
        assert_eq!(
            Capability::parse("X-EXPS GSSAPI NTLM").unwrap(),
            Capability::Other {
                keyword: "X-EXPS".into(),
                params: vec!["GSSAPI".into(), "NTLM".into()]
            }
        );
        assert_eq!(
            Capability::parse("SIZE huge").unwrap(),
            Capability::Other {
                keyword: "SIZE".into(),
                params: vec!["huge".into()]
            }
        );
        assert!(Capability::parse("-bad").is_err());
        assert!(Capability::parse("").is_err());
    }

    #[test]
    fn limits_lookup_is_case_insensitive() {
        let ehlo = EhloReply {
            domain: "x".into(),
            greeting: None,
            capabilities: vec![Capability::Limits(vec![("RCPTMAX".into(), 3)])],
        };
        assert_eq!(ehlo.limit("rcptmax"), Some(3));
        assert_eq!(ehlo.limit("MAILMAX"), None);
    }

    #[test]
    fn to_reply_round_trips() {
        let ehlo = EhloReply {
            domain: "mx.example".into(),
            greeting: Some("hello".into()),
            capabilities: vec![
                Capability::Size(Some(1000)),
                Capability::Auth(vec![Mechanism::Plain, Mechanism::ScramSha256]),
                Capability::Limits(vec![("RCPTMAX".into(), 100)]),
            ],
        };
        let wire = ehlo.to_reply().unwrap().to_bytes();
        assert_eq!(
            &wire[..],
            b"250-mx.example hello\r\n250-SIZE 1000\r\n250-AUTH PLAIN SCRAM-SHA-256\r\n250 LIMITS RCPTMAX=100\r\n"
        );
        let back = EhloReply::from_reply(&Reply::parse(&wire).unwrap()).unwrap();
        assert_eq!(back, ehlo);
    }

    #[test]
    fn a_non_250_reply_is_no_ehlo_reply() {
        let reply = Reply::parse(b"502 Command not implemented\r\n").unwrap();
        assert!(EhloReply::from_reply(&reply).is_err());
    }
}
