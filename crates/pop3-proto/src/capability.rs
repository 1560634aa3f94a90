//! CAPA tags (RFC 2449 §6, RFC 2595 §4, RFC 3206 §6, RFC 5034 §5, RFC 6856 §2–3), typed.
//!
//! ```abnf
//! ; RFC 2449 §3
//! capa-resp    =  single-line *capability "." CRLF
//! capability   =  capa-tag *(SP param) CRLF   ;512 octets maximum
//! capa-tag     =  1*cchar
//! cchar        =  %x21-2D / %x2F-7F
//! ```

use bytes::{BufMut, Bytes, BytesMut};
use mail_core::sasl::Mechanism;

use crate::command::{Argument, parse_u32};
use crate::error::ResponseError;
use crate::response::Text;

/// How long the server keeps messages (RFC 2449 §6.7 `EXPIRE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expire {
    /// `NEVER`: the server never deletes messages on its own.
    Never,
    /// Messages may be deleted this many days after their first retrieval (`0`: right
    /// after it, so the client must keep them itself).
    Days(u32),
}

/// One CAPA line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Capability {
    /// `TOP` (RFC 2449 §6.1).
    Top,
    /// `USER` (RFC 2449 §6.2): `USER`/`PASS` are accepted.
    User,
    /// `SASL mechanisms…` (RFC 2449 §6.3, RFC 5034 §5). Mechanism names that are no valid
    /// `sasl-mech` are dropped when parsing.
    Sasl(Vec<Mechanism>),
    /// `RESP-CODES` (RFC 2449 §6.4).
    RespCodes,
    /// `LOGIN-DELAY n [USER]` (RFC 2449 §6.5): minimum seconds between logins; `per_user`
    /// when it may differ after login.
    LoginDelay {
        /// Seconds.
        seconds: u32,
        /// The `USER` argument: the value may change once the user is known.
        per_user: bool,
    },
    /// `PIPELINING` (RFC 2449 §6.6).
    Pipelining,
    /// `EXPIRE policy [USER]` (RFC 2449 §6.7).
    Expire {
        /// The retention policy.
        policy: Expire,
        /// The `USER` argument.
        per_user: bool,
    },
    /// `UIDL` (RFC 2449 §6.8).
    Uidl,
    /// `IMPLEMENTATION text` (RFC 2449 §6.9).
    Implementation(Text),
    /// `STLS` (RFC 2595 §4).
    Stls,
    /// `UTF8 [USER]` (RFC 6856 §2); `user` when `USER`/`PASS` accept UTF-8.
    Utf8 {
        /// The `USER` argument (RFC 6856 §2.2).
        user: bool,
    },
    /// `LANG` (RFC 6856 §3).
    Lang,
    /// `AUTH-RESP-CODE` (RFC 3206 §6): the `[AUTH]` code is used.
    AuthRespCode,
    /// Any other tag, or a known tag with parameters it does not allow, kept as sent.
    Other {
        /// The tag.
        tag: Argument,
        /// Its parameters.
        params: Vec<Argument>,
    },
}

impl Capability {
    /// Parses one capability line (without CRLF, already un-stuffed).
    ///
    /// Tags are matched case-insensitively. Tolerated: several spaces between parameters;
    /// `.` in an unknown tag; a known tag with unexpected parameters is kept as
    /// [`Capability::Other`].
    ///
    /// # Errors
    /// [`ResponseError::Syntax`] for an empty line or a control character.
    pub fn parse(line: &[u8]) -> Result<Self, ResponseError> {
        let text = core::str::from_utf8(line)
            .map_err(|e| ResponseError::syntax(e.valid_up_to(), "UTF-8"))?;
        let mut words = text.split(' ').filter(|w| !w.is_empty());
        let tag = words.next().ok_or(ResponseError::syntax(0, "capa-tag"))?;
        let rest: Vec<&str> = words.collect();
        let upper = tag.to_ascii_uppercase();
        let user_flag = |rest: &[&str]| match rest {
            [] => Some(false),
            [u] if u.eq_ignore_ascii_case("USER") => Some(true),
            _ => None,
        };
        let known = match (upper.as_str(), rest.as_slice()) {
            ("TOP", []) => Some(Self::Top),
            ("USER", []) => Some(Self::User),
            ("SASL", mechs) => Some(Self::Sasl(
                mechs
                    .iter()
                    .filter_map(|m| m.parse::<Mechanism>().ok())
                    .collect(),
            )),
            ("RESP-CODES", []) => Some(Self::RespCodes),
            ("PIPELINING", []) => Some(Self::Pipelining),
            ("UIDL", []) => Some(Self::Uidl),
            ("STLS", []) => Some(Self::Stls),
            ("LANG", []) => Some(Self::Lang),
            ("AUTH-RESP-CODE", []) => Some(Self::AuthRespCode),
            ("IMPLEMENTATION", _) => {
                let after = text
                    .trim_start_matches(' ')
                    .get(tag.len()..)
                    .unwrap_or_default()
                    .strip_prefix(' ')
                    .unwrap_or_default();
                Text::new(Bytes::copy_from_slice(after.as_bytes()))
                    .ok()
                    .map(Self::Implementation)
            }
            ("LOGIN-DELAY", [n, flag @ ..]) => match (parse_u32(n.as_bytes()), user_flag(flag)) {
                (Some(seconds), Some(per_user)) => Some(Self::LoginDelay { seconds, per_user }),
                _ => None,
            },
            ("EXPIRE", [n, flag @ ..]) => {
                let policy = if n.eq_ignore_ascii_case("NEVER") {
                    Some(Expire::Never)
                } else {
                    parse_u32(n.as_bytes()).map(Expire::Days)
                };
                match (policy, user_flag(flag)) {
                    (Some(policy), Some(per_user)) => Some(Self::Expire { policy, per_user }),
                    _ => None,
                }
            }
            ("UTF8", flag) => user_flag(flag).map(|user| Self::Utf8 { user }),
            _ => None,
        };
        if let Some(known) = known {
            return Ok(known);
        }
        let tag = Argument::new(tag).map_err(|_| ResponseError::syntax(0, "capa-tag"))?;
        let params = rest
            .iter()
            .map(|p| Argument::new(*p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| ResponseError::syntax(tag.as_str().len(), "param"))?;
        Ok(Self::Other { tag, params })
    }

    /// Appends the capability line (no CRLF) to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        let user = |out: &mut BytesMut, per_user: bool| {
            if per_user {
                out.put_slice(b" USER");
            }
        };
        match self {
            Self::Top => out.put_slice(b"TOP"),
            Self::User => out.put_slice(b"USER"),
            Self::Sasl(mechs) => {
                out.put_slice(b"SASL");
                for m in mechs {
                    out.put_u8(b' ');
                    out.put_slice(m.as_str().as_bytes());
                }
            }
            Self::RespCodes => out.put_slice(b"RESP-CODES"),
            Self::LoginDelay { seconds, per_user } => {
                out.put_slice(format!("LOGIN-DELAY {seconds}").as_bytes());
                user(out, *per_user);
            }
            Self::Pipelining => out.put_slice(b"PIPELINING"),
            Self::Expire { policy, per_user } => {
                match policy {
                    Expire::Never => out.put_slice(b"EXPIRE NEVER"),
                    Expire::Days(d) => out.put_slice(format!("EXPIRE {d}").as_bytes()),
                }
                user(out, *per_user);
            }
            Self::Uidl => out.put_slice(b"UIDL"),
            Self::Implementation(text) => {
                out.put_slice(b"IMPLEMENTATION");
                if !text.is_empty() {
                    out.put_u8(b' ');
                    out.put_slice(text.as_bytes());
                }
            }
            Self::Stls => out.put_slice(b"STLS"),
            Self::Utf8 { user: u } => {
                out.put_slice(b"UTF8");
                user(out, *u);
            }
            Self::Lang => out.put_slice(b"LANG"),
            Self::AuthRespCode => out.put_slice(b"AUTH-RESP-CODE"),
            Self::Other { tag, params } => {
                out.put_slice(tag.as_str().as_bytes());
                for p in params {
                    out.put_u8(b' ');
                    out.put_slice(p.as_str().as_bytes());
                }
            }
        }
    }
}

/// A server's capability list, with lookups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Capabilities(pub Vec<Capability>);

impl Capabilities {
    /// Returns the list of these capabilities.
    pub const fn new(capabilities: Vec<Capability>) -> Self {
        Self(capabilities)
    }

    /// Returns whether the list holds `capability` (compared by tag for those with
    /// parameters: use [`Capabilities::sasl`] etc. for those).
    pub fn has(&self, capability: &Capability) -> bool {
        self.0.contains(capability)
    }

    /// Returns the SASL mechanisms offered (empty if none).
    pub fn sasl(&self) -> &[Mechanism] {
        self.0
            .iter()
            .find_map(|c| match c {
                Capability::Sasl(m) => Some(m.as_slice()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Returns whether `PIPELINING` is offered.
    pub fn pipelining(&self) -> bool {
        self.has(&Capability::Pipelining)
    }

    /// Returns whether `STLS` is offered.
    pub fn stls(&self) -> bool {
        self.has(&Capability::Stls)
    }

    /// Returns whether `USER` is offered.
    pub fn user(&self) -> bool {
        self.has(&Capability::User)
    }

    /// Returns whether `TOP` is offered.
    pub fn top(&self) -> bool {
        self.has(&Capability::Top)
    }

    /// Returns whether `UIDL` is offered.
    pub fn uidl(&self) -> bool {
        self.has(&Capability::Uidl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2449_example_tags() {
        let lines: [(&[u8], Capability); 9] = [
            (b"TOP", Capability::Top),
            (b"USER", Capability::User),
            (
                b"SASL CRAM-MD5 KERBEROS_V4",
                Capability::Sasl(vec![Mechanism::CramMd5, "KERBEROS_V4".parse().unwrap()]),
            ),
            (b"RESP-CODES", Capability::RespCodes),
            (
                b"LOGIN-DELAY 900",
                Capability::LoginDelay {
                    seconds: 900,
                    per_user: false,
                },
            ),
            (b"PIPELINING", Capability::Pipelining),
            (
                b"EXPIRE 60",
                Capability::Expire {
                    policy: Expire::Days(60),
                    per_user: false,
                },
            ),
            (b"UIDL", Capability::Uidl),
            (
                b"IMPLEMENTATION Shlemazle-Plotz-v302",
                Capability::Implementation(Text::try_from("Shlemazle-Plotz-v302").unwrap()),
            ),
        ];
        for (line, want) in lines {
            assert_eq!(Capability::parse(line).unwrap(), want);
            let mut out = BytesMut::new();
            want.encode(&mut out);
            assert_eq!(&out[..], line);
        }
    }

    #[test]
    fn user_arguments_and_unknown_tags() {
        assert_eq!(
            Capability::parse(b"EXPIRE NEVER USER").unwrap(),
            Capability::Expire {
                policy: Expire::Never,
                per_user: true
            }
        );
        assert_eq!(
            Capability::parse(b"utf8 user").unwrap(),
            Capability::Utf8 { user: true }
        );
        assert!(matches!(
            Capability::parse(b"LOGIN-DELAY soon").unwrap(),
            Capability::Other { .. }
        ));
        assert!(matches!(
            Capability::parse(b"X-FOO a b").unwrap(),
            Capability::Other { ref params, .. } if params.len() == 2
        ));
        assert!(Capability::parse(b"").is_err());
    }
}
