//! Properties: `parse(encode(x)) == x` for every core type and for commands of every
//! variant; arbitrary bytes never make a parser panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::num::{NonZeroU32, NonZeroU64};

use bytes::Bytes;
use imap_proto::command::*;
use imap_proto::response::ExtValue;
use imap_proto::types::*;
use mail_core::Secret;
use mail_core::sasl::Mechanism;
use proptest::prelude::*;

const MAX64: u64 = i64::MAX as u64;

fn nz32() -> impl Strategy<Value = NonZeroU32> {
    prop_oneof![1u32..20, any::<u32>().prop_filter("nz", |&n| n > 0)]
        .prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn n64() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..100, 0..=MAX64]
}

fn tag() -> impl Strategy<Value = Tag> {
    "[A-Za-z0-9.]{1,8}".prop_map(|s| Tag::try_from(s.as_str()).unwrap())
}

fn atom() -> impl Strategy<Value = Atom> {
    "[A-Za-z0-9$._-]{1,10}".prop_map(|s| Atom::try_from(s.as_str()).unwrap())
}

/// An atom that is no known keyword, for the `Other` variants.
fn x_atom() -> impl Strategy<Value = Atom> {
    "X[A-Z0-9]{1,8}".prop_map(|s| Atom::try_from(s.as_str()).unwrap())
}

fn bytes_no_nul() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-zA-Z0-9]{1,8}".prop_map(String::into_bytes),
        "[ -~]{0,12}".prop_map(String::into_bytes),
        proptest::collection::vec(1u8..=255, 0..16),
    ]
}

fn astring() -> impl Strategy<Value = AString> {
    bytes_no_nul().prop_map(|b| AString::try_from(&b[..]).unwrap())
}

fn istring() -> impl Strategy<Value = IString> {
    bytes_no_nul().prop_map(|b| IString::try_from(&b[..]).unwrap())
}

fn nstring() -> impl Strategy<Value = NString> {
    proptest::option::of(istring()).prop_map(NString)
}

fn quoted() -> impl Strategy<Value = Quoted> {
    "[^\r\n\0]{0,10}".prop_map(|s| Quoted::try_from(s.as_str()).unwrap())
}

fn mailbox() -> impl Strategy<Value = Mailbox> {
    prop_oneof![
        Just(Mailbox::Inbox),
        "[^\0]{0,10}".prop_map(|s| Mailbox::try_from(s.as_str()).unwrap()),
        "[^\0]{0,10}".prop_map(|s| Mailbox::from_utf8(&s).unwrap()),
    ]
}

fn list_mailbox() -> impl Strategy<Value = ListMailbox> {
    prop_oneof!["[a-z%*/]{1,6}", "[^\0]{0,8}"]
        .prop_map(|s| ListMailbox::try_from(s.as_str()).unwrap())
}

fn seq_number() -> impl Strategy<Value = SeqNumber> {
    prop_oneof![Just(SeqNumber::Largest), nz32().prop_map(SeqNumber::Value)]
}

fn sequence_set() -> impl Strategy<Value = SequenceSet> {
    prop_oneof![
        1 => Just(SequenceSet::saved()),
        6 => proptest::collection::vec((seq_number(), proptest::option::of(seq_number())), 1..5).prop_map(|v| {
            SequenceSet::new(
                v.into_iter()
                    .map(|(a, b)| match b {
                        Some(b) => SeqRange::new(a, b),
                        None => SeqRange::single(a),
                    })
                    .collect(),
            )
            .unwrap()
        }),
    ]
}

fn date() -> impl Strategy<Value = Date> {
    (0u16..=9999, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..=60, -5999i16..=5999)
        .prop_map(|(d, h, m, s, z)| DateTime::new(d, h, m, s, z).unwrap())
}

fn flag() -> impl Strategy<Value = Flag> {
    prop_oneof![
        Just(Flag::Answered),
        Just(Flag::Flagged),
        Just(Flag::Deleted),
        Just(Flag::Seen),
        Just(Flag::Draft),
        Just(Flag::Recent),
        atom().prop_map(Flag::Keyword),
        x_atom().prop_map(Flag::Extension),
    ]
}

fn capability() -> impl Strategy<Value = Capability> {
    prop_oneof![
        Just(Capability::Imap4rev1),
        Just(Capability::Imap4rev2),
        Just(Capability::CondStore),
        Just(Capability::QResync),
        Just(Capability::Utf8Accept),
        Just(Capability::LiteralPlus),
        Just(Capability::Auth(Mechanism::Plain)),
        Just(Capability::Auth(Mechanism::ScramSha256)),
        x_atom().prop_map(Capability::Other),
    ]
}

fn section() -> impl Strategy<Value = Section> {
    let fields = || proptest::collection::vec(astring(), 1..3);
    (
        proptest::collection::vec(nz32(), 0..3),
        proptest::option::of(prop_oneof![
            Just(SectionText::Header),
            Just(SectionText::Text),
            Just(SectionText::Mime),
            fields().prop_map(SectionText::HeaderFields),
            fields().prop_map(SectionText::HeaderFieldsNot),
        ]),
    )
        .prop_map(|(part, text)| {
            let text = match text {
                Some(SectionText::Mime) if part.is_empty() => Some(SectionText::Text),
                t => t,
            };
            Section::new(part, text).unwrap()
        })
}

fn partial() -> impl Strategy<Value = Partial> {
    (n64(), 1..=MAX64).prop_map(|(offset, len)| Partial {
        offset,
        length: NonZeroU64::new(len).unwrap(),
    })
}

fn search_key() -> impl Strategy<Value = SearchKey> {
    let leaf = prop_oneof![
        prop_oneof![
            Just(SearchKey::All),
            Just(SearchKey::Answered),
            Just(SearchKey::Deleted),
            Just(SearchKey::Draft),
            Just(SearchKey::Flagged),
            Just(SearchKey::New),
            Just(SearchKey::Old),
            Just(SearchKey::Recent),
            Just(SearchKey::Seen),
            Just(SearchKey::Unanswered),
        ],
        prop_oneof![
            Just(SearchKey::Undeleted),
            Just(SearchKey::Undraft),
            Just(SearchKey::Unflagged),
            Just(SearchKey::Unseen),
            astring().prop_map(SearchKey::Bcc),
            astring().prop_map(SearchKey::Body),
            astring().prop_map(SearchKey::Cc),
            astring().prop_map(SearchKey::From),
            astring().prop_map(SearchKey::Subject),
            astring().prop_map(SearchKey::Text),
        ],
        prop_oneof![
            astring().prop_map(SearchKey::To),
            (astring(), astring()).prop_map(|(a, b)| SearchKey::Header(a, b)),
            atom().prop_map(SearchKey::Keyword),
            atom().prop_map(SearchKey::Unkeyword),
            n64().prop_map(SearchKey::Larger),
            n64().prop_map(SearchKey::Smaller),
            date().prop_map(SearchKey::Before),
            date().prop_map(SearchKey::On),
            date().prop_map(SearchKey::Since),
            date().prop_map(SearchKey::SentBefore),
        ],
        prop_oneof![
            date().prop_map(SearchKey::SentOn),
            date().prop_map(SearchKey::SentSince),
            sequence_set().prop_map(SearchKey::Uid),
            sequence_set().prop_map(SearchKey::SequenceSet),
            nz32().prop_map(SearchKey::Older),
            nz32().prop_map(SearchKey::Younger),
            "[A-Za-z0-9_-]{1,12}"
                .prop_map(|s| SearchKey::EmailId(ObjectId::try_from(s.as_str()).unwrap())),
            "[A-Za-z0-9_-]{1,12}"
                .prop_map(|s| SearchKey::ThreadId(ObjectId::try_from(s.as_str()).unwrap())),
            (
                proptest::option::of((
                    quoted(),
                    prop_oneof![
                        Just(EntryType::Private),
                        Just(EntryType::Shared),
                        Just(EntryType::All)
                    ]
                )),
                n64()
            )
                .prop_map(|(entry, modseq)| SearchKey::ModSeq { entry, modseq }),
        ],
        prop_oneof![
            date().prop_map(SearchKey::SavedBefore),
            date().prop_map(SearchKey::SavedOn),
            date().prop_map(SearchKey::SavedSince),
            Just(SearchKey::SaveDateSupported),
        ],
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| SearchKey::Not(Box::new(k))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| SearchKey::Or(Box::new(a), Box::new(b))),
            proptest::collection::vec(inner, 1..4).prop_map(SearchKey::And),
        ]
    })
}

fn keys() -> impl Strategy<Value = Vec<SearchKey>> {
    proptest::collection::vec(search_key(), 1..4)
}

fn fetch_attribute() -> impl Strategy<Value = FetchAttribute> {
    let part = || proptest::collection::vec(nz32(), 0..3);
    prop_oneof![
        prop_oneof![
            Just(FetchAttribute::Envelope),
            Just(FetchAttribute::Flags),
            Just(FetchAttribute::InternalDate),
            Just(FetchAttribute::Rfc822),
            Just(FetchAttribute::Rfc822Header),
            Just(FetchAttribute::Rfc822Size),
            Just(FetchAttribute::Rfc822Text),
            Just(FetchAttribute::Body),
            Just(FetchAttribute::BodyStructure),
            Just(FetchAttribute::Uid),
        ],
        prop_oneof![
            Just(FetchAttribute::ModSeq),
            Just(FetchAttribute::EmailId),
            Just(FetchAttribute::ThreadId),
            Just(FetchAttribute::SaveDate),
            any::<bool>().prop_map(|lazy| FetchAttribute::Preview { lazy }),
            (any::<bool>(), section(), proptest::option::of(partial())).prop_map(
                |(peek, section, partial)| FetchAttribute::BodySection {
                    peek,
                    section,
                    partial
                }
            ),
            (any::<bool>(), part(), proptest::option::of(partial())).prop_map(
                |(peek, part, partial)| FetchAttribute::Binary {
                    peek,
                    part,
                    partial
                }
            ),
            part().prop_map(|part| FetchAttribute::BinarySize { part }),
        ],
    ]
}

fn charset() -> impl Strategy<Value = Charset> {
    "[A-Za-z0-9 -]{1,8}".prop_map(|s| Charset::try_from(s.as_str()).unwrap())
}

fn search_return() -> impl Strategy<Value = SearchReturn> {
    prop_oneof![
        Just(SearchReturn::Min),
        Just(SearchReturn::Max),
        Just(SearchReturn::All),
        Just(SearchReturn::Count),
        Just(SearchReturn::Save),
        x_atom().prop_map(SearchReturn::Other),
        partial_range().prop_map(SearchReturn::Partial),
    ]
}

fn status_item() -> impl Strategy<Value = StatusItem> {
    prop_oneof![
        Just(StatusItem::Messages),
        Just(StatusItem::UidNext),
        Just(StatusItem::UidValidity),
        Just(StatusItem::Unseen),
        Just(StatusItem::Deleted),
        Just(StatusItem::Size),
        Just(StatusItem::Recent),
        Just(StatusItem::HighestModSeq),
        Just(StatusItem::DeletedStorage),
        Just(StatusItem::MailboxId),
    ]
}

fn special_use() -> impl Strategy<Value = SpecialUse> {
    prop_oneof![
        Just(SpecialUse::All),
        Just(SpecialUse::Archive),
        Just(SpecialUse::Drafts),
        Just(SpecialUse::Flagged),
        Just(SpecialUse::Junk),
        Just(SpecialUse::Sent),
        Just(SpecialUse::Trash),
        x_atom().prop_map(SpecialUse::Other),
    ]
}

/// A PARTIAL range (RFC 9394), either direction, numbers in either order.
fn partial_range() -> impl Strategy<Value = PartialRange> {
    (any::<bool>(), nz32(), nz32()).prop_map(|(last, a, b)| {
        if last {
            PartialRange::Last(a, b)
        } else {
            PartialRange::First(a, b)
        }
    })
}

/// A generic extension value (RFC 4466 §2.1): tokens, strings, nested lists.
fn ext_value() -> impl Strategy<Value = ExtValue> {
    let leaf = prop_oneof![
        "[A-Za-z0-9:,*\\\\$.-]{1,8}".prop_map(|t| ExtValue::token(&t).unwrap()),
        istring().prop_map(ExtValue::String),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        proptest::collection::vec(inner, 0..4).prop_map(ExtValue::List)
    })
}

/// An untyped SELECT parameter: a label, then nothing, a `tagged-ext-simple` or a list.
fn select_param() -> impl Strategy<Value = SelectParam> {
    let value = prop_oneof![
        "[0-9]{1,5}(:[0-9*]{1,3})?".prop_map(|t| ExtValue::token(&t).unwrap()),
        Just(ExtValue::token("*").unwrap()),
        proptest::collection::vec(ext_value(), 0..3).prop_map(ExtValue::List),
    ];
    (
        "[A-Za-z._-][A-Za-z0-9._:-]{0,8}"
            .prop_filter("typed", |n| {
                !n.eq_ignore_ascii_case("CONDSTORE") && !n.eq_ignore_ascii_case("QRESYNC")
            })
            .prop_map(|n| Atom::try_from(n.as_str()).unwrap()),
        proptest::option::of(value),
    )
        .prop_map(|(name, value)| SelectParam::new(name, value).unwrap())
}

fn select_params() -> impl Strategy<Value = SelectParams> {
    (
        proptest::collection::vec(select_param(), 0..3),
        any::<bool>(),
        proptest::option::of((
            nz32(),
            1..=MAX64,
            proptest::option::of(sequence_set()),
            proptest::option::of((sequence_set(), sequence_set())),
        )),
    )
        .prop_map(|(other, condstore, q)| SelectParams {
            other,
            condstore,
            qresync: q.map(|(uid_validity, mod_seq, known_uids, seq_match)| QResync {
                uid_validity,
                mod_seq,
                known_uids,
                seq_match,
            }),
        })
}

fn message_octets() -> impl Strategy<Value = Bytes> {
    proptest::collection::vec(any::<u8>(), 0..24).prop_map(Bytes::from)
}

fn catenate_part() -> impl Strategy<Value = CatenatePart> {
    prop_oneof![
        astring().prop_map(CatenatePart::Url),
        message_octets().prop_map(CatenatePart::Text),
        message_octets().prop_map(CatenatePart::Utf8),
    ]
}

fn append_data() -> impl Strategy<Value = AppendData> {
    prop_oneof![
        // A literal holding NUL travels as literal8 and reads back as one.
        message_octets().prop_map(|d| if d.contains(&0) {
            AppendData::Literal8(d)
        } else {
            AppendData::Literal(d)
        }),
        message_octets().prop_map(AppendData::Literal8),
        message_octets().prop_map(AppendData::Utf8),
        proptest::collection::vec(catenate_part(), 1..4).prop_map(AppendData::Catenate),
    ]
}

fn append_message() -> impl Strategy<Value = AppendMessage> {
    (
        proptest::option::of(proptest::collection::vec(flag(), 0..3)),
        proptest::option::of(date_time()),
        append_data(),
    )
        .prop_map(|(flags, date, data)| {
            let mut m = AppendMessage::new(data);
            if let Some(f) = flags {
                m = m.with_flags(f);
            }
            if let Some(d) = date {
                m = m.with_date(d);
            }
            m
        })
}

fn notify_event() -> impl Strategy<Value = NotifyEvent> {
    prop_oneof![
        proptest::collection::vec(fetch_attribute(), 0..3).prop_map(NotifyEvent::MessageNew),
        Just(NotifyEvent::MessageExpunge),
        Just(NotifyEvent::FlagChange),
        Just(NotifyEvent::AnnotationChange),
        Just(NotifyEvent::MailboxName),
        Just(NotifyEvent::SubscriptionChange),
        Just(NotifyEvent::MailboxMetadataChange),
        Just(NotifyEvent::ServerMetadataChange),
        x_atom().prop_map(NotifyEvent::Other),
    ]
}

fn notify() -> impl Strategy<Value = Notify> {
    let filter = prop_oneof![
        Just(FilterMailboxes::Selected),
        Just(FilterMailboxes::SelectedDelayed),
        Just(FilterMailboxes::Inboxes),
        Just(FilterMailboxes::Personal),
        Just(FilterMailboxes::Subscribed),
        proptest::collection::vec(mailbox(), 1..3).prop_map(FilterMailboxes::Subtree),
        proptest::collection::vec(mailbox(), 1..3).prop_map(FilterMailboxes::Mailboxes),
    ];
    let group = (
        filter,
        proptest::option::of(proptest::collection::vec(notify_event(), 1..4)),
    )
        .prop_map(|(filter, events)| EventGroup::new(filter, events));
    prop_oneof![
        Just(Notify::None),
        (any::<bool>(), proptest::collection::vec(group, 1..3)).prop_map(
            |(status, event_groups)| Notify::Set {
                status,
                event_groups
            }
        ),
    ]
}

fn uid_set() -> impl Strategy<Value = (bool, SequenceSet)> {
    (any::<bool>(), sequence_set())
}

fn body_simple() -> impl Strategy<Value = CommandBody> {
    prop_oneof![
        Just(CommandBody::Capability),
        Just(CommandBody::Noop),
        Just(CommandBody::Logout),
        Just(CommandBody::StartTls),
        Just(CommandBody::Namespace),
        Just(CommandBody::Idle),
        Just(CommandBody::Check),
        Just(CommandBody::Close),
        Just(CommandBody::Unselect),
        Just(CommandBody::Expunge),
        Just(CommandBody::Unauthenticate),
    ]
}

fn body_auth() -> impl Strategy<Value = CommandBody> {
    prop_oneof![
        (
            prop_oneof![
                Just(Mechanism::Plain),
                Just(Mechanism::External),
                Just(Mechanism::XOAuth2)
            ],
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20))
        )
            .prop_map(|(mechanism, ir)| CommandBody::Authenticate {
                mechanism,
                initial_response: ir.map(Secret::new)
            }),
        (astring(), astring()).prop_map(|(username, p)| CommandBody::Login {
            username,
            password: Secret::new(p)
        }),
        proptest::collection::vec(capability(), 1..4).prop_map(CommandBody::Enable),
        (mailbox(), select_params())
            .prop_map(|(mailbox, params)| CommandBody::Select { mailbox, params }),
        (mailbox(), select_params())
            .prop_map(|(mailbox, params)| CommandBody::Examine { mailbox, params }),
        (
            mailbox(),
            proptest::option::of(proptest::collection::vec(special_use(), 0..3))
        )
            .prop_map(|(mailbox, special_use)| CommandBody::Create {
                mailbox,
                special_use
            }),
        mailbox().prop_map(CommandBody::Delete),
        (mailbox(), mailbox()).prop_map(|(from, to)| CommandBody::Rename { from, to }),
        mailbox().prop_map(CommandBody::Subscribe),
        mailbox().prop_map(CommandBody::Unsubscribe),
    ]
}

fn body_mailbox() -> impl Strategy<Value = CommandBody> {
    let select_opt = prop_oneof![
        Just(ListSelectOption::Subscribed),
        Just(ListSelectOption::Remote),
        Just(ListSelectOption::RecursiveMatch),
        Just(ListSelectOption::SpecialUse),
        x_atom().prop_map(ListSelectOption::Other),
        (x_atom(), proptest::collection::vec(ext_value(), 0..3))
            .prop_map(|(a, v)| ListSelectOption::OtherWithValue(a, v)),
    ];
    let return_opt = prop_oneof![
        Just(ListReturnOption::Subscribed),
        Just(ListReturnOption::Children),
        Just(ListReturnOption::SpecialUse),
        proptest::collection::vec(status_item(), 1..3).prop_map(ListReturnOption::Status),
        x_atom().prop_map(ListReturnOption::Other),
        (x_atom(), proptest::collection::vec(ext_value(), 0..3))
            .prop_map(|(a, v)| ListReturnOption::OtherWithValue(a, v)),
    ];
    prop_oneof![
        (
            proptest::option::of(proptest::collection::vec(select_opt, 0..3)),
            mailbox(),
            proptest::collection::vec(list_mailbox(), 1..3),
            proptest::option::of(proptest::collection::vec(return_opt, 0..3)),
        )
            .prop_map(|(selection, reference, patterns, return_options)| {
                CommandBody::List {
                    selection,
                    reference,
                    patterns,
                    return_options,
                }
            }),
        (mailbox(), list_mailbox())
            .prop_map(|(reference, pattern)| CommandBody::Lsub { reference, pattern }),
        (mailbox(), proptest::collection::vec(status_item(), 1..4))
            .prop_map(|(mailbox, items)| CommandBody::Status { mailbox, items }),
        (mailbox(), proptest::collection::vec(append_message(), 1..3))
            .prop_map(|(mailbox, messages)| CommandBody::Append { mailbox, messages }),
        sequence_set().prop_map(CommandBody::UidExpunge),
    ]
}

fn body_select() -> impl Strategy<Value = CommandBody> {
    let store_flags = (
        prop_oneof![
            Just(StoreMode::Replace),
            Just(StoreMode::Add),
            Just(StoreMode::Remove)
        ],
        any::<bool>(),
        proptest::collection::vec(flag(), 0..3),
    )
        .prop_map(|(mode, silent, flags)| StoreFlags {
            mode,
            silent,
            flags,
        });
    let items = prop_oneof![
        Just(FetchItems::All),
        Just(FetchItems::Fast),
        Just(FetchItems::Full),
        proptest::collection::vec(fetch_attribute(), 1..4).prop_map(FetchItems::Attributes),
    ];
    prop_oneof![
        (
            any::<bool>(),
            proptest::option::of(proptest::collection::vec(search_return(), 0..3)),
            proptest::option::of(charset()),
            keys()
        )
            .prop_map(
                |(uid, return_options, charset, criteria)| CommandBody::Search {
                    uid,
                    return_options,
                    charset,
                    criteria
                }
            ),
        (uid_set(), items, proptest::option::of(n64()), any::<bool>()).prop_map(
            |((uid, set), items, changed_since, vanished)| CommandBody::Fetch {
                uid,
                set,
                items,
                modifiers: FetchModifiers {
                    changed_since,
                    vanished
                },
            }
        ),
        (uid_set(), proptest::option::of(n64()), store_flags).prop_map(
            |((uid, set), unchanged_since, flags)| {
                CommandBody::Store {
                    uid,
                    set,
                    unchanged_since,
                    flags,
                }
            }
        ),
        (uid_set(), mailbox()).prop_map(|((uid, set), mailbox)| CommandBody::Copy {
            uid,
            set,
            mailbox
        }),
        (uid_set(), mailbox()).prop_map(|((uid, set), mailbox)| CommandBody::Move {
            uid,
            set,
            mailbox
        }),
    ]
}

fn body_ext() -> impl Strategy<Value = CommandBody> {
    let sort_key = prop_oneof![
        Just(SortKey::Arrival),
        Just(SortKey::Cc),
        Just(SortKey::Date),
        Just(SortKey::From),
        Just(SortKey::Size),
        Just(SortKey::Subject),
        Just(SortKey::To),
        Just(SortKey::DisplayFrom),
        Just(SortKey::DisplayTo),
    ];
    let criterion =
        (any::<bool>(), sort_key).prop_map(|(reverse, key)| SortCriterion { reverse, key });
    let algorithm = prop_oneof![
        Just(ThreadAlgorithm::OrderedSubject),
        Just(ThreadAlgorithm::References),
        x_atom().prop_map(ThreadAlgorithm::Other),
    ];
    let depth = prop_oneof![
        Just(MetadataDepth::Zero),
        Just(MetadataDepth::One),
        Just(MetadataDepth::Infinity)
    ];
    let value = prop_oneof![
        Just(MetadataValue::Nil),
        istring().prop_map(MetadataValue::String),
        proptest::collection::vec(any::<u8>(), 0..8)
            .prop_map(|v| MetadataValue::Binary(Bytes::from(v))),
    ];
    prop_oneof![
        proptest::option::of(proptest::collection::vec((istring(), nstring()), 0..3))
            .prop_map(CommandBody::Id),
        astring().prop_map(CommandBody::GetQuota),
        mailbox().prop_map(CommandBody::GetQuotaRoot),
        (astring(), proptest::collection::vec((atom(), n64()), 0..3)).prop_map(|(root, l)| {
            CommandBody::SetQuota {
                root,
                limits: l
                    .into_iter()
                    .map(|(resource, limit)| QuotaLimit { resource, limit })
                    .collect(),
            }
        }),
        (
            any::<bool>(),
            proptest::option::of(proptest::collection::vec(search_return(), 0..2)),
            proptest::collection::vec(criterion, 1..3),
            charset(),
            keys()
        )
            .prop_map(|(uid, return_options, criteria, charset, search)| {
                CommandBody::Sort {
                    uid,
                    return_options,
                    criteria,
                    charset,
                    search,
                }
            }),
        (any::<bool>(), algorithm, charset(), keys()).prop_map(
            |(uid, algorithm, charset, search)| CommandBody::Thread {
                uid,
                algorithm,
                charset,
                search
            }
        ),
        x_atom().prop_map(CommandBody::Compress),
        notify().prop_map(CommandBody::Notify),
        (
            proptest::option::of(any::<u32>()),
            proptest::option::of(depth),
            mailbox(),
            proptest::collection::vec(astring(), 1..3)
        )
            .prop_map(
                |(max_size, depth, mailbox, entries)| CommandBody::GetMetadata {
                    options: MetadataOptions { max_size, depth },
                    mailbox,
                    entries
                }
            ),
        (
            mailbox(),
            proptest::collection::vec((astring(), value), 1..3)
        )
            .prop_map(|(mailbox, e)| {
                CommandBody::SetMetadata {
                    mailbox,
                    entries: e
                        .into_iter()
                        .map(|(entry, value)| MetadataEntry { entry, value })
                        .collect(),
                }
            }),
        (x_atom(), proptest::option::of("[a-z][a-z ]{0,8}")).prop_map(|(name, args)| {
            CommandBody::Other(OtherCommand::new(name, args.map(Bytes::from)).unwrap())
        }),
    ]
}

fn command() -> impl Strategy<Value = Command> {
    (
        tag(),
        prop_oneof![
            body_simple(),
            body_auth(),
            body_mailbox(),
            body_select(),
            body_ext()
        ],
    )
        .prop_map(|(tag, body)| Command::new(tag, body))
}

/// Parses what `encode` wrote, as a server would after framing.
fn reparse(c: &Command) -> Command {
    let wire = c.to_bytes();
    let body = wire.strip_suffix(b"\r\n").unwrap();
    Command::parse_bytes(&Bytes::copy_from_slice(body), DEFAULT_MAX_DEPTH)
        .unwrap_or_else(|e| panic!("{e} in {:?}", String::from_utf8_lossy(&wire)))
}

fn roundtrip<T: Encode + PartialEq + core::fmt::Debug>(
    x: &T,
    parse: impl Fn(&[u8]) -> Result<T, imap_proto::error::ParseError>,
) -> Result<(), TestCaseError> {
    let wire = x.to_wire();
    let back = parse(&wire)
        .map_err(|e| TestCaseError::fail(format!("{e} in {:?}", String::from_utf8_lossy(&wire))))?;
    prop_assert_eq!(&back, x);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn tag_roundtrip(x in tag()) { roundtrip(&x, Tag::parse)?; }
    #[test]
    fn atom_roundtrip(x in atom()) { roundtrip(&x, Atom::parse)?; }
    #[test]
    fn astring_roundtrip(x in astring()) { roundtrip(&x, AString::parse)?; }
    #[test]
    fn istring_roundtrip(x in istring()) { roundtrip(&x, IString::parse)?; }
    #[test]
    fn nstring_roundtrip(x in nstring()) { roundtrip(&x, NString::parse)?; }
    #[test]
    fn quoted_roundtrip(x in quoted()) { roundtrip(&x, Quoted::parse)?; }
    #[test]
    fn literal_roundtrip(b in proptest::collection::vec(1u8..=255, 0..40)) {
        roundtrip(&Literal::try_from(&b[..]).unwrap(), Literal::parse)?;
    }
    #[test]
    fn literal8_roundtrip(b in proptest::collection::vec(any::<u8>(), 0..40)) {
        roundtrip(&Literal8(Bytes::from(b)), Literal8::parse)?;
    }
    #[test]
    fn mailbox_roundtrip(x in mailbox()) { roundtrip(&x, Mailbox::parse)?; }
    #[test]
    fn list_mailbox_roundtrip(x in list_mailbox()) { roundtrip(&x, ListMailbox::parse)?; }
    #[test]
    fn sequence_set_roundtrip(x in sequence_set()) { roundtrip(&x, SequenceSet::parse)?; }
    #[test]
    fn date_roundtrip(x in date()) { roundtrip(&x, Date::parse)?; }
    #[test]
    fn date_time_roundtrip(x in date_time()) { roundtrip(&x, DateTime::parse)?; }

    #[test]
    fn partial_range_roundtrip(x in partial_range()) { roundtrip(&x, PartialRange::parse)?; }
    #[test]
    fn flag_roundtrip(x in flag()) { roundtrip(&x, Flag::parse)?; }
    #[test]
    fn flag_perm_roundtrip(x in proptest::option::of(flag())) {
        let fp = x.map_or(FlagPerm::Wildcard, FlagPerm::Flag);
        roundtrip(&fp, FlagPerm::parse)?;
    }
    #[test]
    fn capability_roundtrip(x in capability()) { roundtrip(&x, Capability::parse)?; }
    #[test]
    fn section_roundtrip(x in section()) { roundtrip(&x, Section::parse)?; }
    #[test]
    fn partial_roundtrip(x in partial()) { roundtrip(&x, Partial::parse)?; }

    #[test]
    fn modified_utf7_roundtrip(s in "\\PC{0,16}") {
        let wire = encode_modified_utf7(&s);
        prop_assert!(wire.bytes().all(|b| (0x20..=0x7e).contains(&b)));
        prop_assert_eq!(decode_modified_utf7(wire.as_bytes()).unwrap(), s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
        let b = Bytes::from(data.clone());
        let _ = Command::parse_bytes(&b, DEFAULT_MAX_DEPTH);
        let _ = Tag::parse(&data);
        let _ = AString::parse(&data);
        let _ = NString::parse(&data);
        let _ = Literal8::parse(&data);
        let _ = Mailbox::parse(&data);
        let _ = SequenceSet::parse(&data);
        let _ = Date::parse(&data);
        let _ = DateTime::parse(&data);
        let _ = Flag::parse(&data);
        let _ = FlagPerm::parse(&data);
        let _ = Capability::parse(&data);
        let _ = Section::parse(&data);
        let _ = Partial::parse(&data);
        let _ = decode_modified_utf7(&data);
        let _ = parse_idle_done(&data);
        let _ = parse_authenticate_response(&data, 64);
    }

    #[test]
    fn command_like_bytes_never_panic(
        words in proptest::collection::vec(prop_oneof![
            Just("A1".to_owned()), Just("UID".to_owned()), Just("FETCH".to_owned()), Just("SEARCH".to_owned()),
            Just("(".to_owned()), Just(")".to_owned()), Just("{3}\r\nabc".to_owned()), Just("\"x\"".to_owned()),
            Just("1:*".to_owned()), Just("BODY[".to_owned()), Just("]".to_owned()), Just("NOT".to_owned()),
            Just("OR".to_owned()), Just("APPEND".to_owned()), Just("LIST".to_owned()), Just("~{1}\r\n\0".to_owned()),
            Just("STORE".to_owned()), Just("+FLAGS".to_owned()), Just("<0.1>".to_owned()), Just("$".to_owned()),
            "[ -~]{0,4}",
        ], 0..14)
    ) {
        let wire = words.join(" ");
        let _ = Command::parse_bytes(&Bytes::from(wire), DEFAULT_MAX_DEPTH);
    }
}

/// Runs `test` over generated commands on a thread with a large stack: the strategy for
/// every command variant nests deeply enough to overflow a test thread's stack in debug
/// builds (the strategy, not the parser: the parser's depth is bounded).
fn for_commands(cases: u32, test: fn(Command) -> Result<(), TestCaseError>) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
                cases,
                ..ProptestConfig::default()
            });
            if let Err(e) = runner.run(&command(), test) {
                panic!("{e}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn command_roundtrip() {
    for_commands(1024, |c| {
        prop_assert_eq!(reparse(&c), c);
        Ok(())
    });
}

#[test]
fn command_roundtrip_through_framer() {
    for_commands(256, |c| {
        let mut framer =
            imap_proto::framing::Framer::new(imap_proto::framing::FramerConfig::client());
        let mut buf = bytes::BytesMut::from(&c.to_bytes()[..]);
        let Some(Ok(imap_proto::framing::FrameEvent::Frame(f))) = framer.next_frame(&mut buf)
        else {
            return Err(TestCaseError::fail("no frame"));
        };
        prop_assert!(buf.is_empty());
        prop_assert_eq!(Command::parse(&f).unwrap(), c);
        Ok(())
    });
}

#[test]
fn command_roundtrip_with_non_synchronizing_literals() {
    for_commands(256, |c| {
        let mut f = Vec::new();
        c.encode_with(Encoder::non_synchronizing(false), &mut f);
        let wire = fragments_to_bytes(&f);
        let back = Command::parse_bytes(
            &Bytes::copy_from_slice(wire.strip_suffix(b"\r\n").unwrap()),
            DEFAULT_MAX_DEPTH,
        )
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, c);
        Ok(())
    });
}

#[test]
fn encoded_fragments_never_hold_bare_line_ends_outside_literals() {
    for_commands(256, |c| {
        let mut f = Vec::new();
        c.encode(&mut f);
        for frag in &f {
            if let Fragment::Line(line) = frag {
                // A line fragment ends with CRLF and holds no other CR, LF or NUL.
                let body = line.strip_suffix(b"\r\n").unwrap();
                prop_assert!(!body.contains(&b'\r') && !body.contains(&b'\n'));
                prop_assert!(!body.contains(&0));
            }
        }
        Ok(())
    });
}
