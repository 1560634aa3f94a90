//! Properties of responses: `parse(encode(x)) == x` for every variant of [`Response`], and
//! arbitrary bytes never make the parser panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use core::num::NonZeroU32;

use bytes::Bytes;
use imap_proto::command::{MetadataEntry, MetadataValue, NotifyEvent, SpecialUse, StatusItem};
use imap_proto::response::*;
use imap_proto::types::*;
use mail_core::sasl::Mechanism;
use proptest::prelude::*;

const MAX64: u64 = i64::MAX as u64;

fn nz32() -> BoxedStrategy<NonZeroU32> {
    nz32_inner().boxed()
}

fn nz32_inner() -> impl Strategy<Value = NonZeroU32> {
    prop_oneof![1u32..20, 1u32..=u32::MAX].prop_map(|n| NonZeroU32::new(n).unwrap())
}

fn n64() -> BoxedStrategy<u64> {
    n64_inner().boxed()
}

fn n64_inner() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..100, 0..=MAX64]
}

fn tag() -> BoxedStrategy<Tag> {
    tag_inner().boxed()
}

fn tag_inner() -> impl Strategy<Value = Tag> {
    "[A-Za-z0-9.]{1,8}".prop_map(|s| Tag::try_from(s.as_str()).unwrap())
}

fn atom() -> BoxedStrategy<Atom> {
    atom_inner().boxed()
}

fn atom_inner() -> impl Strategy<Value = Atom> {
    "[A-Za-z0-9$._-]{1,10}".prop_map(|s| Atom::try_from(s.as_str()).unwrap())
}

/// An atom that is no known keyword, for the `Other` variants.
fn x_atom() -> BoxedStrategy<Atom> {
    x_atom_inner().boxed()
}

fn x_atom_inner() -> impl Strategy<Value = Atom> {
    "X[A-Z0-9]{1,8}".prop_map(|s| Atom::try_from(s.as_str()).unwrap())
}

fn bytes_no_nul() -> BoxedStrategy<Vec<u8>> {
    bytes_no_nul_inner().boxed()
}

fn bytes_no_nul_inner() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-zA-Z0-9]{1,8}".prop_map(String::into_bytes),
        "[ -~]{0,12}".prop_map(String::into_bytes),
        proptest::collection::vec(1u8..=255, 0..16),
    ]
}

fn astring() -> BoxedStrategy<AString> {
    astring_inner().boxed()
}

fn astring_inner() -> impl Strategy<Value = AString> {
    bytes_no_nul().prop_map(|b| AString::try_from(&b[..]).unwrap())
}

fn istring() -> BoxedStrategy<IString> {
    istring_inner().boxed()
}

fn istring_inner() -> impl Strategy<Value = IString> {
    bytes_no_nul().prop_map(|b| IString::try_from(&b[..]).unwrap())
}

fn nstring() -> BoxedStrategy<NString> {
    nstring_inner().boxed()
}

fn nstring_inner() -> impl Strategy<Value = NString> {
    proptest::option::of(istring()).prop_map(NString)
}

fn mailbox() -> BoxedStrategy<Mailbox> {
    mailbox_inner().boxed()
}

fn mailbox_inner() -> impl Strategy<Value = Mailbox> {
    prop_oneof![
        Just(Mailbox::Inbox),
        "[^\0]{0,10}".prop_map(|s| Mailbox::try_from(s.as_str()).unwrap()),
    ]
}

fn sequence_set() -> BoxedStrategy<SequenceSet> {
    sequence_set_inner().boxed()
}

fn sequence_set_inner() -> impl Strategy<Value = SequenceSet> {
    proptest::collection::vec((nz32(), proptest::option::of(nz32())), 1..5).prop_map(|v| {
        SequenceSet::new(
            v.into_iter()
                .map(|(a, b)| match b {
                    Some(b) => SeqRange::new(SeqNumber::Value(a), SeqNumber::Value(b)),
                    None => SeqRange::single(SeqNumber::Value(a)),
                })
                .collect(),
        )
        .unwrap()
    })
}

fn date_time() -> BoxedStrategy<DateTime> {
    date_time_inner().boxed()
}

fn date_time_inner() -> impl Strategy<Value = DateTime> {
    (
        (1u16..=9999, 1u8..=12, 1u8..=28),
        0u8..24,
        0u8..60,
        0u8..=60,
        -5999i16..=5999,
    )
        .prop_map(|((y, mo, d), h, m, s, z)| {
            DateTime::new(Date::new(y, mo, d).unwrap(), h, m, s, z).unwrap()
        })
}

fn flag() -> BoxedStrategy<Flag> {
    flag_inner().boxed()
}

fn flag_inner() -> impl Strategy<Value = Flag> {
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

fn capability() -> BoxedStrategy<Capability> {
    capability_inner().boxed()
}

fn capability_inner() -> impl Strategy<Value = Capability> {
    prop_oneof![
        Just(Capability::Imap4rev1),
        Just(Capability::Imap4rev2),
        Just(Capability::CondStore),
        Just(Capability::LiteralPlus),
        Just(Capability::Auth(Mechanism::Plain)),
        x_atom().prop_map(Capability::Other),
    ]
}

fn section() -> BoxedStrategy<Section> {
    section_inner().boxed()
}

fn section_inner() -> impl Strategy<Value = Section> {
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

/// Response text: no CR, LF or NUL, not starting with a space or `[`.
fn text() -> BoxedStrategy<Text> {
    text_inner().boxed()
}

fn text_inner() -> impl Strategy<Value = Text> {
    prop_oneof![
        Just(String::new()),
        "[A-Za-z0-9][ -~]{0,20}",
        "[a-z]{1,4} [^\r\n\0]{0,10}",
    ]
    .prop_map(|s| Text::try_from(s.as_str()).unwrap())
}

fn ext_value() -> BoxedStrategy<ExtValue> {
    ext_value_inner().boxed()
}

fn ext_value_inner() -> impl Strategy<Value = ExtValue> {
    let leaf = prop_oneof![
        "[A-Za-z0-9:,*\\\\$.-]{1,8}".prop_map(|t| ExtValue::token(&t).unwrap()),
        istring().prop_map(ExtValue::String),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        proptest::collection::vec(inner, 0..4).prop_map(ExtValue::List)
    })
}

fn code() -> BoxedStrategy<Code> {
    code_inner().boxed()
}

fn code_inner() -> impl Strategy<Value = Code> {
    prop_oneof![
        prop_oneof![
            Just(Code::Alert),
            proptest::collection::vec(
                prop_oneof![
                    "[A-Z0-9-]{1,8}",
                    "[a-z]{1,3} [a-z]{1,3}",
                    "[a-z\\]\\[]{1,4}",
                    "[a-zé\r\n]{1,4}"
                ]
                .prop_map(|s| AString::try_from(s.as_str()).unwrap()),
                0..3
            )
            .prop_map(Code::BadCharset),
            proptest::collection::vec(capability(), 0..4).prop_map(Code::Capability),
            Just(Code::Parse),
            proptest::collection::vec(
                prop_oneof![Just(FlagPerm::Wildcard), flag().prop_map(FlagPerm::Flag)],
                0..4
            )
            .prop_map(Code::PermanentFlags),
            Just(Code::ReadOnly),
            Just(Code::ReadWrite),
            Just(Code::TryCreate),
        ],
        prop_oneof![
            nz32().prop_map(Code::UidNext),
            nz32().prop_map(Code::UidValidity),
            nz32().prop_map(Code::Unseen),
            Just(Code::Closed),
            Just(Code::UidNotSticky),
            (nz32(), sequence_set())
                .prop_map(|(uid_validity, uids)| Code::AppendUid { uid_validity, uids }),
            (nz32(), sequence_set(), sequence_set()).prop_map(
                |(uid_validity, source, destination)| {
                    Code::CopyUid {
                        uid_validity,
                        source,
                        destination,
                    }
                }
            ),
            n64().prop_map(Code::HighestModSeq),
            Just(Code::NoModSeq),
            sequence_set().prop_map(Code::Modified),
        ],
        prop_oneof![
            proptest::sample::select(Condition::ALL).prop_map(Code::Condition),
            prop_oneof![
                any::<u32>().prop_map(MetadataCode::LongEntries),
                any::<u32>().prop_map(MetadataCode::MaxSize),
                Just(MetadataCode::TooMany),
                Just(MetadataCode::NoPrivate),
            ]
            .prop_map(Code::Metadata),
            "[A-Za-z0-9_-]{1,20}"
                .prop_map(|s| Code::MailboxId(ObjectId::try_from(s.as_str()).unwrap())),
            "[!-\\\\^-~]{1,12}".prop_map(|d| Code::BadUrl(CodeData::try_from(d.as_str()).unwrap())),
            proptest::collection::vec(
                prop_oneof![
                    Just(NotifyEvent::MessageNew(vec![])),
                    Just(NotifyEvent::MessageExpunge),
                    Just(NotifyEvent::FlagChange),
                    Just(NotifyEvent::ServerMetadataChange),
                    x_atom().prop_map(NotifyEvent::Other),
                ],
                1..4
            )
            .prop_map(Code::BadEvent),
            (x_atom(), proptest::option::of("[ -\\\\^-~]{1,12}")).prop_map(|(name, data)| {
                Code::Other {
                    name,
                    data: data.map(|d| CodeData::try_from(d.as_str()).unwrap()),
                }
            }),
        ],
    ]
}

fn status() -> BoxedStrategy<Status> {
    status_inner().boxed()
}

fn status_inner() -> impl Strategy<Value = Status> {
    (
        proptest::option::of(tag()),
        prop_oneof![
            Just(StatusKind::Ok),
            Just(StatusKind::No),
            Just(StatusKind::Bad),
            Just(StatusKind::PreAuth),
            Just(StatusKind::Bye),
        ],
        proptest::option::of(code()),
        text(),
    )
        .prop_map(|(tag, kind, code, text)| {
            let tag = if matches!(kind, StatusKind::PreAuth | StatusKind::Bye) {
                None
            } else {
                tag
            };
            Status::new(tag, kind, code, text).unwrap()
        })
}

fn continuation() -> BoxedStrategy<Continuation> {
    continuation_inner().boxed()
}

fn continuation_inner() -> impl Strategy<Value = Continuation> {
    prop_oneof![
        (
            proptest::option::of(code()),
            // Text with a space is never read as base64.
            "[A-Za-z]{1,5} [ -~]{0,10}"
        )
            .prop_map(|(code, t)| Continuation::Text {
                code,
                text: Text::try_from(t.as_str()).unwrap()
            }),
        code().prop_map(|c| Continuation::Text {
            code: Some(c),
            text: Text::default()
        }),
        proptest::collection::vec(any::<u8>(), 1..40)
            .prop_map(|d| Continuation::Base64(Bytes::from(d))),
    ]
}

fn mailbox_attribute() -> BoxedStrategy<MailboxAttribute> {
    mailbox_attribute_inner().boxed()
}

fn mailbox_attribute_inner() -> impl Strategy<Value = MailboxAttribute> {
    prop_oneof![
        Just(MailboxAttribute::NoInferiors),
        Just(MailboxAttribute::NoSelect),
        Just(MailboxAttribute::Marked),
        Just(MailboxAttribute::Unmarked),
        Just(MailboxAttribute::NonExistent),
        Just(MailboxAttribute::Subscribed),
        Just(MailboxAttribute::Remote),
        Just(MailboxAttribute::HasChildren),
        Just(MailboxAttribute::HasNoChildren),
        Just(MailboxAttribute::NoAccess),
        prop_oneof![
            Just(SpecialUse::All),
            Just(SpecialUse::Archive),
            Just(SpecialUse::Drafts),
            Just(SpecialUse::Flagged),
            Just(SpecialUse::Junk),
            Just(SpecialUse::Sent),
            Just(SpecialUse::Trash),
        ]
        .prop_map(MailboxAttribute::SpecialUse),
        x_atom().prop_map(MailboxAttribute::Other),
    ]
}

fn delimiter() -> BoxedStrategy<Option<char>> {
    delimiter_inner().boxed()
}

fn delimiter_inner() -> impl Strategy<Value = Option<char>> {
    proptest::option::of(proptest::sample::select(vec![
        '/', '.', '\\', '"', 'é', ':',
    ]))
}

fn mailbox_list() -> BoxedStrategy<MailboxList> {
    mailbox_list_inner().boxed()
}

fn mailbox_list_inner() -> impl Strategy<Value = MailboxList> {
    (
        proptest::collection::vec(mailbox_attribute(), 0..4),
        delimiter(),
        mailbox(),
        proptest::collection::vec(
            prop_oneof![
                proptest::collection::vec(astring(), 1..3).prop_map(ListExtendedItem::ChildInfo),
                mailbox().prop_map(ListExtendedItem::OldName),
                (x_atom(), ext_value()).prop_map(|(t, v)| ListExtendedItem::Other(
                    AString::try_from(t.as_str()).unwrap(),
                    v
                )),
            ],
            0..3,
        ),
    )
        .prop_map(|(attributes, delimiter, mailbox, extended)| {
            let mut list = MailboxList::new(attributes, delimiter, mailbox);
            list.extended = extended;
            list
        })
}

fn namespace() -> BoxedStrategy<Vec<NamespaceDescr>> {
    namespace_inner().boxed()
}

fn namespace_inner() -> impl Strategy<Value = Vec<NamespaceDescr>> {
    proptest::collection::vec(
        (
            istring(),
            delimiter(),
            proptest::collection::vec(
                (istring(), proptest::collection::vec(istring(), 1..3)),
                0..2,
            ),
        )
            .prop_map(|(prefix, delimiter, extensions)| {
                let mut descr = NamespaceDescr::new(prefix, delimiter);
                descr.extensions = extensions;
                descr
            }),
        0..3,
    )
}

fn status_attribute() -> BoxedStrategy<StatusAttribute> {
    status_attribute_inner().boxed()
}

fn status_attribute_inner() -> impl Strategy<Value = StatusAttribute> {
    prop_oneof![
        (
            proptest::sample::select(vec![
                StatusItem::Messages,
                StatusItem::UidNext,
                StatusItem::UidValidity,
                StatusItem::Unseen,
                StatusItem::Deleted,
                StatusItem::Size,
                StatusItem::Recent,
                StatusItem::HighestModSeq,
                StatusItem::DeletedStorage,
            ]),
            n64()
        )
            .prop_map(|(i, n)| StatusAttribute::Count(i, n)),
        "[A-Za-z0-9_-]{1,20}"
            .prop_map(|s| StatusAttribute::MailboxId(ObjectId::try_from(s.as_str()).unwrap())),
    ]
}

fn thread() -> BoxedStrategy<Thread> {
    thread_inner().boxed()
}

fn thread_inner() -> impl Strategy<Value = Thread> {
    let leaf =
        proptest::collection::vec(nz32(), 1..4).prop_map(|members| Thread::new(members, vec![]));
    leaf.prop_recursive(4, 16, 3, |inner| {
        (
            proptest::collection::vec(nz32(), 0..3),
            proptest::collection::vec(inner, 0..3),
        )
            .prop_map(|(members, children)| Thread::new(members, children))
    })
}

fn address() -> BoxedStrategy<Address> {
    address_inner().boxed()
}

fn address_inner() -> impl Strategy<Value = Address> {
    (nstring(), nstring(), nstring(), nstring())
        .prop_map(|(name, adl, mailbox, host)| Address::new(name, adl, mailbox, host))
}

fn addresses() -> BoxedStrategy<Vec<Address>> {
    addresses_inner().boxed()
}

fn addresses_inner() -> impl Strategy<Value = Vec<Address>> {
    proptest::collection::vec(address(), 0..3)
}

fn envelope() -> BoxedStrategy<Envelope> {
    envelope_inner().boxed()
}

fn envelope_inner() -> impl Strategy<Value = Envelope> {
    (
        (nstring(), nstring()),
        (addresses(), addresses(), addresses()),
        (addresses(), addresses(), addresses()),
        (nstring(), nstring()),
    )
        .prop_map(
            |(
                (date, subject),
                (from, sender, reply_to),
                (to, cc, bcc),
                (in_reply_to, message_id),
            )| {
                let mut envelope = Envelope::default();
                envelope.date = date;
                envelope.subject = subject;
                envelope.in_reply_to = in_reply_to;
                envelope.message_id = message_id;
                envelope.set_addresses([from, sender, reply_to, to, cc, bcc]);
                envelope
            },
        )
}

fn params() -> BoxedStrategy<BodyParams> {
    params_inner().boxed()
}

fn params_inner() -> impl Strategy<Value = BodyParams> {
    // Built by pushing, as the parser builds it, so that every way a list is held (none, one
    // inline pair, several) is generated and compared.
    proptest::collection::vec((istring(), istring()), 0..3)
        .prop_map(|pairs| pairs.into_iter().collect())
}

/// Any extension data, all-NIL `Some` included: parse and encode agree on one
/// representation, so every value round-trips.
fn body_extension() -> BoxedStrategy<Option<BodyExtension>> {
    proptest::option::of(body_extension_inner()).boxed()
}

fn body_extension_inner() -> impl Strategy<Value = BodyExtension> {
    (
        proptest::option::of(
            (istring(), params()).prop_map(|(kind, params)| Disposition::new(kind, params)),
        ),
        proptest::collection::vec(istring(), 0..3),
        nstring(),
        proptest::collection::vec(ext_value(), 0..2),
    )
        .prop_map(|(disposition, language, location, extensions)| {
            let mut ext = BodyExtension::default();
            ext.disposition = disposition.map(Box::new);
            ext.language = language;
            ext.location = location;
            ext.extensions = extensions;
            ext
        })
}

fn single_part(kind: BoxedStrategy<SinglePartKind>, message: bool) -> BoxedStrategy<BodyStructure> {
    (
        (istring(), istring(), params()),
        (nstring(), nstring(), istring(), any::<u32>()),
        kind,
        nstring(),
        body_extension(),
    )
        .prop_map(
            move |(
                (media_type, subtype, params),
                (id, description, encoding, octets),
                kind,
                md5,
                extension,
            )| {
                let (media_type, subtype) = if message {
                    (
                        IString::try_from("MESSAGE").unwrap(),
                        IString::try_from("RFC822").unwrap(),
                    )
                } else {
                    (media_type, subtype)
                };
                BodyStructure::Single {
                    media_type,
                    subtype,
                    params,
                    id,
                    description,
                    encoding,
                    octets,
                    kind,
                    md5,
                    extension,
                }
            },
        )
        .boxed()
}

fn body_structure() -> BoxedStrategy<BodyStructure> {
    body_structure_inner().boxed()
}

fn body_structure_inner() -> impl Strategy<Value = BodyStructure> {
    let leaf = prop_oneof![
        single_part(Just(SinglePartKind::Basic).boxed(), false),
        single_part(
            (0..=MAX64)
                .prop_map(|lines| SinglePartKind::Text { lines })
                .boxed(),
            false
        ),
    ];
    leaf.prop_recursive(3, 8, 3, |inner| {
        prop_oneof![
            (
                proptest::collection::vec(inner.clone(), 1..3),
                istring(),
                params(),
                body_extension()
            )
                .prop_map(|(parts, subtype, params, extension)| {
                    BodyStructure::Multipart {
                        parts,
                        subtype,
                        params,
                        extension,
                    }
                }),
            single_part(
                (envelope(), inner, n64())
                    .prop_map(|(e, b, lines)| SinglePartKind::Message {
                        envelope: Box::new(e),
                        body: Box::new(b),
                        lines
                    })
                    .boxed(),
                true
            ),
        ]
    })
}

fn fetch_item() -> BoxedStrategy<FetchItem> {
    fetch_item_inner().boxed()
}

fn fetch_item_inner() -> impl Strategy<Value = FetchItem> {
    prop_oneof![
        prop_oneof![
            proptest::collection::vec(flag(), 0..4).prop_map(FetchItem::Flags),
            date_time().prop_map(FetchItem::InternalDate),
            n64().prop_map(FetchItem::Rfc822Size),
            nstring().prop_map(FetchItem::Rfc822),
            nstring().prop_map(FetchItem::Rfc822Header),
            nstring().prop_map(FetchItem::Rfc822Text),
            (section(), proptest::option::of(any::<u32>()), nstring()).prop_map(
                |(section, origin, data)| FetchItem::BodySection {
                    section,
                    origin,
                    data
                }
            ),
        ],
        prop_oneof![
            (
                proptest::collection::vec(nz32(), 0..3),
                proptest::option::of(any::<u32>()),
                proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20))
            )
                .prop_map(|(section, origin, data)| FetchItem::Binary {
                    section,
                    origin,
                    data: data.map(Bytes::from)
                }),
            (proptest::collection::vec(nz32(), 0..3), any::<u32>())
                .prop_map(|(section, size)| FetchItem::BinarySize { section, size }),
            nz32().prop_map(FetchItem::Uid),
            n64().prop_map(FetchItem::ModSeq),
            envelope().prop_map(|e| FetchItem::Envelope(Box::new(e))),
            body_structure().prop_map(|b| FetchItem::BodyStructure(Box::new(b))),
            body_structure().prop_map(|b| FetchItem::Body(Box::new(b))),
            "[A-Za-z0-9_-]{1,20}"
                .prop_map(|s| FetchItem::EmailId(ObjectId::try_from(s.as_str()).unwrap())),
            proptest::option::of("[A-Za-z0-9_-]{1,20}").prop_map(|s| FetchItem::ThreadId(
                s.map(|s| ObjectId::try_from(s.as_str()).unwrap())
            )),
            proptest::option::of(date_time()).prop_map(FetchItem::SaveDate),
            nstring().prop_map(FetchItem::Preview),
            ("X-[A-Z]{1,6}", ext_value()).prop_map(|(n, value)| FetchItem::Other {
                name: FetchItemName::try_from(n.as_str()).unwrap(),
                value
            }),
        ],
    ]
}

fn metadata_entry() -> BoxedStrategy<MetadataEntry> {
    metadata_entry_inner().boxed()
}

fn metadata_entry_inner() -> impl Strategy<Value = MetadataEntry> {
    (
        astring(),
        prop_oneof![
            Just(MetadataValue::Nil),
            istring().prop_map(MetadataValue::String),
            proptest::collection::vec(any::<u8>(), 0..10)
                .prop_map(|d| MetadataValue::Binary(Bytes::from(d))),
        ],
    )
        .prop_map(|(entry, value)| MetadataEntry { entry, value })
}

fn numbers() -> BoxedStrategy<Vec<NonZeroU32>> {
    numbers_inner().boxed()
}

fn numbers_inner() -> impl Strategy<Value = Vec<NonZeroU32>> {
    proptest::collection::vec(nz32(), 0..5)
}

fn data() -> BoxedStrategy<Data> {
    data_inner().boxed()
}

fn data_inner() -> impl Strategy<Value = Data> {
    prop_oneof![
        prop_oneof![
            proptest::collection::vec(capability(), 0..4).prop_map(Data::Capability),
            proptest::collection::vec(capability(), 0..4).prop_map(Data::Enabled),
            mailbox_list().prop_map(Data::List),
            mailbox_list().prop_map(Data::Lsub),
            (namespace(), namespace(), namespace()).prop_map(|(personal, other, shared)| {
                Data::Namespace {
                    personal,
                    other,
                    shared,
                }
            }),
            (
                mailbox(),
                proptest::collection::vec(status_attribute(), 0..4)
            )
                .prop_map(|(mailbox, attributes)| Data::Status {
                    mailbox,
                    attributes
                }),
            (numbers(), proptest::option::of(n64()))
                .prop_map(|(numbers, mod_seq)| Data::Search { numbers, mod_seq }),
            (numbers(), proptest::option::of(n64()))
                .prop_map(|(numbers, mod_seq)| Data::Sort { numbers, mod_seq }),
        ],
        prop_oneof![
            (
                proptest::option::of(tag()),
                any::<bool>(),
                proptest::collection::vec(
                    prop_oneof![
                        nz32().prop_map(ESearchItem::Min),
                        nz32().prop_map(ESearchItem::Max),
                        sequence_set().prop_map(ESearchItem::All),
                        any::<u32>().prop_map(ESearchItem::Count),
                        n64().prop_map(ESearchItem::ModSeq),
                        (
                            any::<bool>(),
                            nz32(),
                            nz32(),
                            proptest::option::of(sequence_set())
                        )
                            .prop_map(|(last, a, b, results)| {
                                ESearchItem::Partial {
                                    range: if last {
                                        PartialRange::Last(a, b)
                                    } else {
                                        PartialRange::First(a, b)
                                    },
                                    results,
                                }
                            }),
                        (x_atom(), ext_value()).prop_map(|(a, v)| ESearchItem::Other(a, v)),
                    ],
                    0..4
                )
            )
                .prop_map(|(tag, uid, items)| Data::ESearch(ESearch::new(tag, uid, items))),
            proptest::collection::vec(thread(), 0..3).prop_map(Data::Thread),
            proptest::collection::vec(flag(), 0..5).prop_map(Data::Flags),
            any::<u32>().prop_map(Data::Exists),
            any::<u32>().prop_map(Data::Recent),
            nz32().prop_map(Data::Expunge),
            (any::<bool>(), sequence_set())
                .prop_map(|(earlier, uids)| Data::Vanished { earlier, uids }),
            (nz32(), proptest::collection::vec(fetch_item(), 1..4))
                .prop_map(|(seq, items)| Data::Fetch { seq, items }),
        ],
        prop_oneof![
            proptest::option::of(proptest::collection::vec((istring(), nstring()), 0..3))
                .prop_map(Data::Id),
            (
                astring(),
                proptest::collection::vec(
                    (atom(), n64(), n64())
                        .prop_map(|(name, usage, limit)| QuotaResource::new(name, usage, limit)),
                    0..3
                )
            )
                .prop_map(|(root, resources)| Data::Quota { root, resources }),
            (mailbox(), proptest::collection::vec(astring(), 0..3))
                .prop_map(|(mailbox, roots)| Data::QuotaRoot { mailbox, roots }),
            (
                mailbox(),
                prop_oneof![
                    proptest::collection::vec(metadata_entry(), 1..3)
                        .prop_map(MetadataResponse::Values),
                    proptest::collection::vec(astring(), 1..3).prop_map(MetadataResponse::Changed),
                ]
            )
                .prop_map(|(mailbox, entries)| Data::Metadata { mailbox, entries }),
            (x_atom(), proptest::collection::vec(ext_value(), 0..3))
                .prop_map(|(name, arguments)| Data::Other { name, arguments }),
        ],
    ]
}

fn response() -> BoxedStrategy<Response> {
    response_inner().boxed()
}

fn response_inner() -> impl Strategy<Value = Response> {
    prop_oneof![
        status().prop_map(Response::Status),
        continuation().prop_map(Response::Continuation),
        data().prop_map(Response::Data),
    ]
}

fn roundtrip(r: &Response) -> Result<(), TestCaseError> {
    let wire = r.to_bytes();
    prop_assert!(wire.ends_with(b"\r\n"));
    let frame = Bytes::copy_from_slice(&wire[..wire.len() - 2]);
    let parsed = Response::parse_bytes(&frame, DEFAULT_MAX_DEPTH);
    prop_assert_eq!(
        parsed.as_ref().ok(),
        Some(r),
        "wire: {:?} error: {:?}",
        String::from_utf8_lossy(&wire),
        parsed.as_ref().err()
    );
    // Literals are separate fragments; lines never carry a CR or LF but their last CRLF.
    let mut fragments = Vec::new();
    r.encode(&mut fragments);
    for f in &fragments {
        if let Fragment::Line(l) = f {
            let body = &l[..l.len() - 2];
            prop_assert!(!body.contains(&b'\r') && !body.contains(&b'\n'));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn response_roundtrip(r in response()) { roundtrip(&r)?; }

    #[test]
    fn status_roundtrip(s in status()) { roundtrip(&Response::Status(s))?; }

    #[test]
    fn continuation_roundtrip(c in continuation()) { roundtrip(&Response::Continuation(c))?; }

    #[test]
    fn fetch_roundtrip(seq in nz32(), items in proptest::collection::vec(fetch_item(), 1..5)) {
        roundtrip(&Response::Data(Data::Fetch { seq, items }))?;
    }

    #[test]
    fn bodystructure_roundtrip(b in body_structure()) {
        roundtrip(&Response::Data(Data::Fetch {
            seq: NonZeroU32::new(1).unwrap(),
            items: vec![FetchItem::BodyStructure(Box::new(b))],
        }))?;
    }

    #[test]
    fn envelope_roundtrip(e in envelope()) {
        roundtrip(&Response::Data(Data::Fetch {
            seq: NonZeroU32::new(1).unwrap(),
            items: vec![FetchItem::Envelope(Box::new(e))],
        }))?;
    }

    #[test]
    fn code_roundtrip(c in code(), t in text()) {
        roundtrip(&Response::Status(Status::new(None, StatusKind::Ok, Some(c), t).unwrap()))?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Response::parse_bytes(&Bytes::from(b), DEFAULT_MAX_DEPTH);
    }

    #[test]
    fn imap_like_bytes_never_panic(s in "[*+A1 ()\\[\\]\"{}~0-9A-Z\\\\.<>:,\r\n-]{0,120}") {
        let b = Bytes::from(s.into_bytes());
        if let Ok(r) = Response::parse_bytes(&b, DEFAULT_MAX_DEPTH) {
            // What parses re-encodes to something that parses to the same value.
            roundtrip(&r)?;
        }
    }

    #[test]
    fn truncated_responses_never_panic(r in response(), cut in any::<prop::sample::Index>()) {
        let wire = r.to_bytes();
        let cut = cut.index(wire.len());
        let _ = Response::parse_bytes(&Bytes::copy_from_slice(&wire[..cut]), DEFAULT_MAX_DEPTH);
    }
}
