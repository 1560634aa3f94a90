//! Writing commands: strict RFC 9051 syntax, literals as separate fragments.

use mail_core::sasl::{self, ResponseKind};

use super::mailbox::encode_list;
use super::other::split_raw;
use super::{CommandBody, append, search};
use crate::types::{Encode, Encoder};

fn uid_prefix(uid: bool, e: &mut Encoder) {
    if uid {
        e.raw(b"UID ");
    }
}

impl Encode for CommandBody {
    #[allow(clippy::too_many_lines)]
    fn encode(&self, e: &mut Encoder) {
        match self {
            Self::Capability => e.raw(b"CAPABILITY"),
            Self::Noop => e.raw(b"NOOP"),
            Self::Logout => e.raw(b"LOGOUT"),
            Self::StartTls => e.raw(b"STARTTLS"),
            Self::Authenticate {
                mechanism,
                initial_response,
            } => {
                e.raw(b"AUTHENTICATE ");
                e.raw(mechanism.as_str().as_bytes());
                if let Some(ir) = initial_response {
                    e.sp();
                    let mut b = Vec::new();
                    sasl::encode_response(ir.expose(), ResponseKind::Initial, &mut b);
                    e.raw(&b);
                }
            }
            Self::Login { username, password } => {
                e.raw(b"LOGIN ");
                username.encode(e);
                e.sp();
                password.expose().encode(e);
            }
            Self::Enable(caps) => {
                e.raw(b"ENABLE");
                for c in caps {
                    e.sp();
                    c.encode(e);
                }
            }
            Self::Select { mailbox, params } | Self::Examine { mailbox, params } => {
                e.raw(if matches!(self, Self::Select { .. }) {
                    b"SELECT "
                } else {
                    b"EXAMINE "
                });
                mailbox.encode(e);
                if !params.is_empty() {
                    e.sp();
                    params.encode(e);
                }
            }
            Self::Create {
                mailbox,
                special_use,
            } => {
                e.raw(b"CREATE ");
                mailbox.encode(e);
                if let Some(uses) = special_use {
                    e.raw(b" (USE ");
                    encode_list(uses, e);
                    e.raw(b")");
                }
            }
            Self::Delete(m) => {
                e.raw(b"DELETE ");
                m.encode(e);
            }
            Self::Rename { from, to } => {
                e.raw(b"RENAME ");
                from.encode(e);
                e.sp();
                to.encode(e);
            }
            Self::Subscribe(m) => {
                e.raw(b"SUBSCRIBE ");
                m.encode(e);
            }
            Self::Unsubscribe(m) => {
                e.raw(b"UNSUBSCRIBE ");
                m.encode(e);
            }
            Self::List {
                selection,
                reference,
                patterns,
                return_options,
            } => {
                e.raw(b"LIST ");
                if let Some(s) = selection {
                    encode_list(s, e);
                    e.sp();
                }
                reference.encode(e);
                e.sp();
                match patterns.as_slice() {
                    [one] => one.encode(e),
                    many => encode_list(many, e),
                }
                if let Some(r) = return_options {
                    e.raw(b" RETURN ");
                    encode_list(r, e);
                }
            }
            Self::Lsub { reference, pattern } => {
                e.raw(b"LSUB ");
                reference.encode(e);
                e.sp();
                pattern.encode(e);
            }
            Self::Namespace => e.raw(b"NAMESPACE"),
            Self::Status { mailbox, items } => {
                e.raw(b"STATUS ");
                mailbox.encode(e);
                e.sp();
                encode_list(items, e);
            }
            Self::Append { mailbox, messages } => {
                e.raw(b"APPEND ");
                mailbox.encode(e);
                append::encode_messages(messages, e);
            }
            Self::Idle => e.raw(b"IDLE"),
            Self::Check => e.raw(b"CHECK"),
            Self::Close => e.raw(b"CLOSE"),
            Self::Unselect => e.raw(b"UNSELECT"),
            Self::Expunge => e.raw(b"EXPUNGE"),
            Self::Unauthenticate => e.raw(b"UNAUTHENTICATE"),
            Self::Notify(n) => {
                e.raw(b"NOTIFY ");
                n.encode(e);
            }
            Self::UidExpunge(set) => {
                e.raw(b"UID EXPUNGE ");
                set.encode(e);
            }
            Self::Search {
                uid,
                return_options,
                charset,
                criteria,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"SEARCH ");
                if let Some(r) = return_options {
                    e.raw(b"RETURN ");
                    encode_list(r, e);
                    e.sp();
                }
                if let Some(c) = charset {
                    e.raw(b"CHARSET ");
                    c.encode(e);
                    e.sp();
                }
                search::encode_keys(criteria, e);
            }
            Self::Fetch {
                uid,
                set,
                items,
                modifiers,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"FETCH ");
                set.encode(e);
                e.sp();
                items.encode(e);
                if !modifiers.is_empty() {
                    e.sp();
                    modifiers.encode(e);
                }
            }
            Self::Store {
                uid,
                set,
                unchanged_since,
                flags,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"STORE ");
                set.encode(e);
                e.sp();
                if let Some(n) = unchanged_since {
                    e.raw(b"(UNCHANGEDSINCE ");
                    e.number(*n);
                    e.raw(b") ");
                }
                flags.encode(e);
            }
            Self::Copy { uid, set, mailbox } | Self::Move { uid, set, mailbox } => {
                uid_prefix(*uid, e);
                e.raw(if matches!(self, Self::Copy { .. }) {
                    b"COPY "
                } else {
                    b"MOVE "
                });
                set.encode(e);
                e.sp();
                mailbox.encode(e);
            }
            Self::Id(params) => {
                e.raw(b"ID ");
                match params {
                    None => e.raw(b"NIL"),
                    Some(params) => {
                        e.raw(b"(");
                        for (i, (k, v)) in params.iter().enumerate() {
                            if i > 0 {
                                e.sp();
                            }
                            k.encode(e);
                            e.sp();
                            v.encode(e);
                        }
                        e.raw(b")");
                    }
                }
            }
            Self::GetQuota(root) => {
                e.raw(b"GETQUOTA ");
                root.encode(e);
            }
            Self::GetQuotaRoot(m) => {
                e.raw(b"GETQUOTAROOT ");
                m.encode(e);
            }
            Self::SetQuota { root, limits } => {
                e.raw(b"SETQUOTA ");
                root.encode(e);
                e.sp();
                encode_list(limits, e);
            }
            Self::Sort {
                uid,
                return_options,
                criteria,
                charset,
                search,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"SORT ");
                if let Some(r) = return_options {
                    e.raw(b"RETURN ");
                    encode_list(r, e);
                    e.sp();
                }
                encode_list(criteria, e);
                e.sp();
                charset.encode(e);
                e.sp();
                search::encode_keys(search, e);
            }
            Self::Thread {
                uid,
                algorithm,
                charset,
                search,
            } => {
                uid_prefix(*uid, e);
                e.raw(b"THREAD ");
                algorithm.encode(e);
                e.sp();
                charset.encode(e);
                e.sp();
                search::encode_keys(search, e);
            }
            Self::Compress(a) => {
                e.raw(b"COMPRESS ");
                a.encode(e);
            }
            Self::GetMetadata {
                options,
                mailbox,
                entries,
            } => {
                e.raw(b"GETMETADATA ");
                if !options.is_empty() {
                    options.encode(e);
                    e.sp();
                }
                mailbox.encode(e);
                e.sp();
                match entries.as_slice() {
                    [one] => one.encode(e),
                    [first, rest @ ..] => {
                        // An atom MAXSIZE or DEPTH first in the list would read back as
                        // options after the mailbox (a tolerance of the parser): quote it.
                        let word = first.as_bytes();
                        e.raw(b"(");
                        if word.eq_ignore_ascii_case(b"MAXSIZE")
                            || word.eq_ignore_ascii_case(b"DEPTH")
                        {
                            e.string(word);
                        } else {
                            first.encode(e);
                        }
                        for entry in rest {
                            e.sp();
                            entry.encode(e);
                        }
                        e.raw(b")");
                    }
                    [] => e.raw(b"()"),
                }
            }
            Self::SetMetadata { mailbox, entries } => {
                e.raw(b"SETMETADATA ");
                mailbox.encode(e);
                e.sp();
                encode_list(entries, e);
            }
            Self::Other(o) => {
                o.name.encode(e);
                if let Some(args) = &o.arguments {
                    e.sp();
                    for (text, literal) in split_raw(args).unwrap_or_default() {
                        e.raw(&text);
                        if let Some((data, binary)) = literal {
                            e.literal(&data, binary);
                        }
                    }
                }
            }
        }
    }
}
