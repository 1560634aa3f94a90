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
use crate::types::parser::{PResult, Parser, class, kw};
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
        let (name, word) = p.take_keyword(class::ATOM);
        if name.is_empty() {
            return Err(p.err("atom"));
        }
        const K_CAPABILITY: u128 = kw(b"CAPABILITY");
        const K_NOOP: u128 = kw(b"NOOP");
        const K_LOGOUT: u128 = kw(b"LOGOUT");
        const K_STARTTLS: u128 = kw(b"STARTTLS");
        const K_AUTHENTICATE: u128 = kw(b"AUTHENTICATE");
        const K_LOGIN: u128 = kw(b"LOGIN");
        const K_ENABLE: u128 = kw(b"ENABLE");
        const K_SELECT: u128 = kw(b"SELECT");
        const K_EXAMINE: u128 = kw(b"EXAMINE");
        const K_CREATE: u128 = kw(b"CREATE");
        const K_DELETE: u128 = kw(b"DELETE");
        const K_RENAME: u128 = kw(b"RENAME");
        const K_SUBSCRIBE: u128 = kw(b"SUBSCRIBE");
        const K_UNSUBSCRIBE: u128 = kw(b"UNSUBSCRIBE");
        const K_LIST: u128 = kw(b"LIST");
        const K_LSUB: u128 = kw(b"LSUB");
        const K_NAMESPACE: u128 = kw(b"NAMESPACE");
        const K_STATUS: u128 = kw(b"STATUS");
        const K_APPEND: u128 = kw(b"APPEND");
        const K_IDLE: u128 = kw(b"IDLE");
        const K_CHECK: u128 = kw(b"CHECK");
        const K_CLOSE: u128 = kw(b"CLOSE");
        const K_UNSELECT: u128 = kw(b"UNSELECT");
        const K_EXPUNGE: u128 = kw(b"EXPUNGE");
        const K_UNAUTHENTICATE: u128 = kw(b"UNAUTHENTICATE");
        const K_SEARCH: u128 = kw(b"SEARCH");
        const K_FETCH: u128 = kw(b"FETCH");
        const K_STORE: u128 = kw(b"STORE");
        const K_COPY: u128 = kw(b"COPY");
        const K_MOVE: u128 = kw(b"MOVE");
        const K_SORT: u128 = kw(b"SORT");
        const K_THREAD: u128 = kw(b"THREAD");
        const K_UID: u128 = kw(b"UID");
        const K_ID: u128 = kw(b"ID");
        const K_GETQUOTA: u128 = kw(b"GETQUOTA");
        const K_GETQUOTAROOT: u128 = kw(b"GETQUOTAROOT");
        const K_SETQUOTA: u128 = kw(b"SETQUOTA");
        const K_COMPRESS: u128 = kw(b"COMPRESS");
        const K_GETMETADATA: u128 = kw(b"GETMETADATA");
        const K_NOTIFY: u128 = kw(b"NOTIFY");
        const K_SETMETADATA: u128 = kw(b"SETMETADATA");
        Ok(match word.0 {
            K_CAPABILITY => Self::Capability,
            K_NOOP => Self::Noop,
            K_LOGOUT => Self::Logout,
            K_STARTTLS => Self::StartTls,
            K_AUTHENTICATE => read_authenticate(p)?,
            K_LOGIN => {
                p.sp()?;
                let username = AString::read(p)?;
                p.sp()?;
                let password = Secret::new(AString::read(p)?);
                Self::Login { username, password }
            }
            K_ENABLE => {
                let mut caps = Vec::new();
                p.sp()?;
                caps.push(Capability::read(p)?);
                while p.eat_sp() && !p.at_end() {
                    caps.push(Capability::read(p)?);
                }
                Self::Enable(caps)
            }
            K_SELECT | K_EXAMINE => {
                let mailbox = sp_mailbox(p)?;
                let params = if p.eat_sp() && p.peek() == Some(b'(') {
                    SelectParams::read(p)?
                } else {
                    SelectParams::default()
                };
                if word.0 == K_SELECT {
                    Self::Select { mailbox, params }
                } else {
                    Self::Examine { mailbox, params }
                }
            }
            K_CREATE => {
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
            K_DELETE => Self::Delete(sp_mailbox(p)?),
            K_RENAME => {
                let from = sp_mailbox(p)?;
                let to = sp_mailbox(p)?;
                Self::Rename { from, to }
            }
            K_SUBSCRIBE => Self::Subscribe(sp_mailbox(p)?),
            K_UNSUBSCRIBE => Self::Unsubscribe(sp_mailbox(p)?),
            K_LIST => read_list(p)?,
            K_LSUB => {
                let reference = sp_mailbox(p)?;
                p.sp()?;
                Self::Lsub {
                    reference,
                    pattern: ListMailbox::read(p)?,
                }
            }
            K_NAMESPACE => Self::Namespace,
            K_STATUS => {
                let mailbox = sp_mailbox(p)?;
                p.sp()?;
                Self::Status {
                    mailbox,
                    items: p.list(true, StatusItem::read)?,
                }
            }
            K_APPEND => {
                let mailbox = sp_mailbox(p)?;
                Self::Append {
                    mailbox,
                    messages: append::read_messages(p)?,
                }
            }
            K_IDLE => Self::Idle,
            K_CHECK => Self::Check,
            K_CLOSE => Self::Close,
            K_UNSELECT => Self::Unselect,
            K_EXPUNGE => Self::Expunge,
            K_UNAUTHENTICATE => Self::Unauthenticate,
            K_SEARCH => read_search(p, false)?,
            K_FETCH => read_fetch(p, false)?,
            K_STORE => read_store(p, false)?,
            K_COPY => read_copy_move(p, false, false)?,
            K_MOVE => read_copy_move(p, false, true)?,
            K_SORT => read_sort(p, false)?,
            K_THREAD => read_thread(p, false)?,
            K_UID => {
                p.sp()?;
                let sub_at = p.pos();
                let (sub_name, sub) = p.take_keyword(class::ATOM);
                if sub_name.is_empty() {
                    return Err(p.err("atom"));
                }
                match sub.0 {
                    K_FETCH => read_fetch(p, true)?,
                    K_STORE => read_store(p, true)?,
                    K_COPY => read_copy_move(p, true, false)?,
                    K_MOVE => read_copy_move(p, true, true)?,
                    K_SEARCH => read_search(p, true)?,
                    K_SORT => read_sort(p, true)?,
                    K_THREAD => read_thread(p, true)?,
                    K_EXPUNGE => Self::UidExpunge(sp_set(p)?),
                    _ => {
                        return Err(ParseError::syntax(
                            sub_at,
                            "FETCH, STORE, COPY, MOVE, SEARCH, SORT, THREAD or EXPUNGE after UID",
                        ));
                    }
                }
            }
            K_ID => {
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
            K_GETQUOTA => {
                p.sp()?;
                Self::GetQuota(AString::read(p)?)
            }
            K_GETQUOTAROOT => Self::GetQuotaRoot(sp_mailbox(p)?),
            K_SETQUOTA => {
                p.sp()?;
                let root = AString::read(p)?;
                p.sp()?;
                Self::SetQuota {
                    root,
                    limits: p.list(false, QuotaLimit::read)?,
                }
            }
            K_COMPRESS => {
                p.sp()?;
                Self::Compress(Atom::read(p)?)
            }
            K_GETMETADATA => read_getmetadata(p)?,
            K_NOTIFY => {
                p.sp()?;
                Self::Notify(Notify::read(p)?)
            }
            K_SETMETADATA => {
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
