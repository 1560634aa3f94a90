//! Reading commands: the dispatch on the command name and the argument parsers of the
//! commands whose grammar is more than a sequence of types.

use mail_core::Secret;
use mail_core::sasl::{self, ClientResponse, Mechanism, ResponseKind};

use super::{
    Charset, CommandBody, FetchItems, FetchModifiers, ListReturnOption, ListSelectOption,
    MAX_INITIAL_RESPONSE, MetadataEntry, MetadataOptions, Notify, OtherCommand, QuotaLimit,
    SearchReturn, SelectParams, SortCriterion, SpecialUse, StatusItem, StoreFlags, ThreadAlgorithm,
    append, search,
};
use crate::error::ParseError;
use crate::types::parser::{PResult, Parser, Upper};
use crate::types::{
    AString, Atom, Capability, IString, ListMailbox, Mailbox, NString, SequenceSet,
};

/// Reads `SP mailbox`.
fn sp_mailbox(p: &mut Parser<'_>) -> PResult<Mailbox> {
    p.sp()?;
    Mailbox::read(p)
}

/// Reads `SP sequence-set`.
fn sp_set(p: &mut Parser<'_>) -> PResult<SequenceSet> {
    p.sp()?;
    SequenceSet::read(p)
}

impl CommandBody {
    pub(super) fn read(p: &mut Parser<'_>) -> PResult<Self> {
        let at = p.pos();
        let name = p.atom()?;
        let upper = Upper::new(name);
        Ok(match upper.as_bytes() {
            b"CAPABILITY" => Self::Capability,
            b"NOOP" => Self::Noop,
            b"LOGOUT" => Self::Logout,
            b"STARTTLS" => Self::StartTls,
            b"AUTHENTICATE" => read_authenticate(p)?,
            b"LOGIN" => {
                p.sp()?;
                let username = AString::read(p)?;
                p.sp()?;
                let password = Secret::new(AString::read(p)?);
                Self::Login { username, password }
            }
            b"ENABLE" => {
                let mut caps = Vec::new();
                p.sp()?;
                caps.push(Capability::read(p)?);
                while p.eat_sp() && !p.at_end() {
                    caps.push(Capability::read(p)?);
                }
                Self::Enable(caps)
            }
            b"SELECT" | b"EXAMINE" => {
                let mailbox = sp_mailbox(p)?;
                let params = if p.eat_sp() && p.peek() == Some(b'(') {
                    SelectParams::read(p)?
                } else {
                    SelectParams::default()
                };
                if upper.as_bytes() == b"SELECT" {
                    Self::Select { mailbox, params }
                } else {
                    Self::Examine { mailbox, params }
                }
            }
            b"CREATE" => {
                let mailbox = sp_mailbox(p)?;
                let mut special_use = None;
                if p.eat_sp() && p.peek() == Some(b'(') {
                    p.list(true, |p| {
                        p.expect_keyword(b"USE", "USE")?;
                        p.sp()?;
                        special_use = Some(p.list(false, SpecialUse::read)?);
                        Ok(())
                    })?;
                }
                Self::Create {
                    mailbox,
                    special_use,
                }
            }
            b"DELETE" => Self::Delete(sp_mailbox(p)?),
            b"RENAME" => {
                let from = sp_mailbox(p)?;
                let to = sp_mailbox(p)?;
                Self::Rename { from, to }
            }
            b"SUBSCRIBE" => Self::Subscribe(sp_mailbox(p)?),
            b"UNSUBSCRIBE" => Self::Unsubscribe(sp_mailbox(p)?),
            b"LIST" => read_list(p)?,
            b"LSUB" => {
                let reference = sp_mailbox(p)?;
                p.sp()?;
                Self::Lsub {
                    reference,
                    pattern: ListMailbox::read(p)?,
                }
            }
            b"NAMESPACE" => Self::Namespace,
            b"STATUS" => {
                let mailbox = sp_mailbox(p)?;
                p.sp()?;
                Self::Status {
                    mailbox,
                    items: p.list(true, StatusItem::read)?,
                }
            }
            b"APPEND" => {
                let mailbox = sp_mailbox(p)?;
                Self::Append {
                    mailbox,
                    messages: append::read_messages(p)?,
                }
            }
            b"IDLE" => Self::Idle,
            b"CHECK" => Self::Check,
            b"CLOSE" => Self::Close,
            b"UNSELECT" => Self::Unselect,
            b"EXPUNGE" => Self::Expunge,
            b"UNAUTHENTICATE" => Self::Unauthenticate,
            b"SEARCH" => read_search(p, false)?,
            b"FETCH" => read_fetch(p, false)?,
            b"STORE" => read_store(p, false)?,
            b"COPY" => read_copy_move(p, false, false)?,
            b"MOVE" => read_copy_move(p, false, true)?,
            b"SORT" => read_sort(p, false)?,
            b"THREAD" => read_thread(p, false)?,
            b"UID" => {
                p.sp()?;
                let sub_at = p.pos();
                let sub = Upper::new(p.atom()?);
                match sub.as_bytes() {
                    b"FETCH" => read_fetch(p, true)?,
                    b"STORE" => read_store(p, true)?,
                    b"COPY" => read_copy_move(p, true, false)?,
                    b"MOVE" => read_copy_move(p, true, true)?,
                    b"SEARCH" => read_search(p, true)?,
                    b"SORT" => read_sort(p, true)?,
                    b"THREAD" => read_thread(p, true)?,
                    b"EXPUNGE" => Self::UidExpunge(sp_set(p)?),
                    _ => {
                        return Err(ParseError::syntax(
                            sub_at,
                            "FETCH, STORE, COPY, MOVE, SEARCH, SORT, THREAD or EXPUNGE after UID",
                        ));
                    }
                }
            }
            b"ID" => {
                p.sp()?;
                if p.nil() {
                    Self::Id(None)
                } else {
                    Self::Id(Some(p.list(false, |p| {
                        let k = IString::read(p)?;
                        p.sp()?;
                        Ok((k, NString::read(p)?))
                    })?))
                }
            }
            b"GETQUOTA" => {
                p.sp()?;
                Self::GetQuota(AString::read(p)?)
            }
            b"GETQUOTAROOT" => Self::GetQuotaRoot(sp_mailbox(p)?),
            b"SETQUOTA" => {
                p.sp()?;
                let root = AString::read(p)?;
                p.sp()?;
                Self::SetQuota {
                    root,
                    limits: p.list(false, QuotaLimit::read)?,
                }
            }
            b"COMPRESS" => {
                p.sp()?;
                Self::Compress(Atom::read(p)?)
            }
            b"GETMETADATA" => read_getmetadata(p)?,
            b"NOTIFY" => {
                p.sp()?;
                Self::Notify(Notify::read(p)?)
            }
            b"SETMETADATA" => {
                let mailbox = sp_mailbox(p)?;
                p.sp()?;
                Self::SetMetadata {
                    mailbox,
                    entries: p.list(true, MetadataEntry::read)?,
                }
            }
            _ => {
                let name =
                    Atom::try_from(name).map_err(|_| ParseError::syntax(at, "command name"))?;
                let arguments = if p.eat(b' ') {
                    let start = p.pos();
                    let all = p.slice(start, start.saturating_add(p.rest().len()));
                    p.advance(all.len());
                    Some(all)
                } else {
                    None
                };
                let at_args = p.pos();
                Self::Other(
                    OtherCommand::new(name, arguments)
                        .map_err(|_| ParseError::syntax(at_args, "arguments"))?,
                )
            }
        })
    }
}

/// Reads `SP auth-type [SP initial-resp]` (RFC 9051 §6.2.2, RFC 4959 §3).
///
/// ```abnf
/// initial-resp = (base64 / "=")
/// ```
fn read_authenticate(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let at = p.pos();
    let mech = p.atom()?;
    let mechanism = core::str::from_utf8(mech)
        .ok()
        .and_then(|m| m.parse::<Mechanism>().ok())
        .ok_or(ParseError::syntax(at, "auth-type"))?;
    let initial_response = if p.eat_sp() && !p.at_end() {
        let ir_at = p.pos();
        let ir = p.take_while(|b| b != b' ');
        match sasl::decode_response(ir, ResponseKind::Initial, MAX_INITIAL_RESPONSE) {
            Ok(ClientResponse::Data(d)) => Some(d),
            _ => return Err(ParseError::syntax(ir_at, "base64 initial response or '='")),
        }
    } else {
        None
    };
    Ok(CommandBody::Authenticate {
        mechanism,
        initial_response,
    })
}

/// Reads the arguments of LIST (RFC 9051 §6.3.9, RFC 5258 §6).
///
/// ```abnf
/// list             = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
/// list-select-opts = "(" [ list-select-opt *(SP list-select-opt) ] ")"
/// mbox-or-pat      = list-mailbox / patterns
/// patterns         = "(" list-mailbox *(SP list-mailbox) ")"
/// list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
/// ```
fn read_list(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let selection = if p.peek() == Some(b'(') {
        let s = p.list(false, ListSelectOption::read)?;
        // Tolerance: no SP between the options and the reference, as in the example of
        // RFC 5819 §2 (`LIST (SUBSCRIBED RECURSIVEMATCH)"" %`).
        p.eat_sp();
        Some(s)
    } else {
        None
    };
    let reference = Mailbox::read(p)?;
    p.sp()?;
    let patterns = if p.peek() == Some(b'(') {
        p.list(true, ListMailbox::read)?
    } else {
        vec![ListMailbox::read(p)?]
    };
    let return_options = if p.eat_sp() && p.keyword(b"RETURN") {
        p.sp()?;
        Some(p.list(false, ListReturnOption::read)?)
    } else {
        None
    };
    Ok(CommandBody::List {
        selection,
        reference,
        patterns,
        return_options,
    })
}

/// Reads SEARCH after its name.
///
/// ```abnf
/// search             = "SEARCH" [search-return-opts] SP search-program
/// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"
/// search-program     = ["CHARSET" SP charset SP] search-key *(SP search-key)
/// ```
fn read_search(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let return_options = if p.keyword(b"RETURN") {
        p.sp()?;
        let r = p.list(false, SearchReturn::read)?;
        p.sp()?;
        Some(r)
    } else {
        None
    };
    let charset = if p.keyword(b"CHARSET") {
        p.sp()?;
        let c = Charset::read(p)?;
        p.sp()?;
        Some(c)
    } else {
        None
    };
    Ok(CommandBody::Search {
        uid,
        return_options,
        charset,
        criteria: search::read_keys(p)?,
    })
}

/// Reads GETMETADATA after its name (RFC 5464 §4.2).
///
/// ```abnf
/// getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
/// entries     = entry / "(" entry *(SP entry) ")"
/// ```
///
/// Tolerances, both from the RFC's own examples (§4.2.2, §5): the options after the
/// mailbox, and several entries without parentheses.
fn read_getmetadata(p: &mut Parser<'_>) -> PResult<CommandBody> {
    p.sp()?;
    let mut options = MetadataOptions::default();
    if p.peek() == Some(b'(') {
        options = MetadataOptions::read(p)?;
        p.sp()?;
    }
    let mailbox = Mailbox::read(p)?;
    p.sp()?;
    if options.is_empty() && p.peek() == Some(b'(') {
        let save = p.pos();
        p.advance(1);
        p.eat_sp();
        let is_options = p.keyword(b"MAXSIZE") || p.keyword(b"DEPTH");
        p.seek(save);
        if is_options {
            options = MetadataOptions::read(p)?;
            p.sp()?;
        }
    }
    let entries = if p.peek() == Some(b'(') {
        p.list(true, AString::read)?
    } else {
        let mut entries = vec![AString::read(p)?];
        while p.eat_sp() && !p.at_end() {
            entries.push(AString::read(p)?);
        }
        entries
    };
    Ok(CommandBody::GetMetadata {
        options,
        mailbox,
        entries,
    })
}

/// Reads FETCH after its name.
///
/// ```abnf
/// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
///         "(" fetch-att *(SP fetch-att) ")") [fetch-modifiers]
/// ```
fn read_fetch(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    let set = sp_set(p)?;
    p.sp()?;
    let items = FetchItems::read(p)?;
    let modifiers = if p.eat_sp() && p.peek() == Some(b'(') {
        FetchModifiers::read(p)?
    } else {
        FetchModifiers::default()
    };
    Ok(CommandBody::Fetch {
        uid,
        set,
        items,
        modifiers,
    })
}

/// Reads STORE after its name.
///
/// ```abnf
/// store           = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
/// store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
/// store-modifier  = "UNCHANGEDSINCE" SP mod-sequence-valzer
/// ```
fn read_store(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    let set = sp_set(p)?;
    p.sp()?;
    let mut unchanged_since = None;
    if p.peek() == Some(b'(') {
        p.list(true, |p| {
            p.expect_keyword(b"UNCHANGEDSINCE", "UNCHANGEDSINCE")?;
            p.sp()?;
            unchanged_since = Some(p.number64()?);
            Ok(())
        })?;
        p.sp()?;
    }
    Ok(CommandBody::Store {
        uid,
        set,
        unchanged_since,
        flags: StoreFlags::read(p)?,
    })
}

/// Reads COPY or MOVE after the name: `SP sequence-set SP mailbox`.
fn read_copy_move(p: &mut Parser<'_>, uid: bool, is_move: bool) -> PResult<CommandBody> {
    let set = sp_set(p)?;
    let mailbox = sp_mailbox(p)?;
    Ok(if is_move {
        CommandBody::Move { uid, set, mailbox }
    } else {
        CommandBody::Copy { uid, set, mailbox }
    })
}

/// Reads SORT after its name (RFC 5256 §5).
///
/// ```abnf
/// sort            = ["UID" SP] "SORT" [sort-return-opts] SP sort-criteria SP search-criteria
/// sort-return-opts = SP "RETURN" SP "(" [sort-return-opt *(SP sort-return-opt)] ")"  ; RFC 5267
/// sort-criteria   = "(" sort-criterion *(SP sort-criterion) ")"
/// search-criteria = charset 1*(SP search-key)
/// ```
fn read_sort(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let return_options = if p.keyword(b"RETURN") {
        p.sp()?;
        let r = p.list(false, SearchReturn::read)?;
        p.sp()?;
        Some(r)
    } else {
        None
    };
    let criteria = p.list(true, SortCriterion::read)?;
    p.sp()?;
    let charset = Charset::read(p)?;
    p.sp()?;
    Ok(CommandBody::Sort {
        uid,
        return_options,
        criteria,
        charset,
        search: search::read_keys(p)?,
    })
}

/// Reads THREAD after its name (RFC 5256 §5).
///
/// ```abnf
/// thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
/// ```
fn read_thread(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let algorithm = ThreadAlgorithm::read(p)?;
    p.sp()?;
    let charset = Charset::read(p)?;
    p.sp()?;
    Ok(CommandBody::Thread {
        uid,
        algorithm,
        charset,
        search: search::read_keys(p)?,
    })
}
