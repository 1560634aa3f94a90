#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Every server line (`S:`) of the RFC examples, parsed and round-tripped.
//!
//! The lines are copied verbatim from the RFC texts. Lines the RFCs wrap for page layout
//! are joined in `wrapped_lines_joined`; lines the RFCs elide (`...`, `[...]`) and header
//! lines of literals are left out (the literal examples are in `response.rs`).

use bytes::Bytes;
use imap_proto::response::Response;

/// Parses `line`, encodes it, and checks that the encoding parses to the same value.
fn check(line: &str) -> Response {
    let bytes = Bytes::copy_from_slice(line.as_bytes());
    let parsed = Response::parse_bytes(&bytes, 64).unwrap_or_else(|e| panic!("{line}: {e}"));
    let wire = parsed.to_bytes();
    assert!(wire.ends_with(b"\r\n"));
    let again = Bytes::copy_from_slice(&wire[..wire.len() - 2]);
    assert_eq!(Response::parse_bytes(&again, 64).unwrap(), parsed, "{line}");
    parsed
}

/// RFC9051 (IMAP4rev2 §6–§8): every example server line.
#[test]
fn rfc9051_server_lines() {
    for line in [
        r##"* CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI"##,
        r##"abcd OK CAPABILITY completed"##,
        r##"efgh OK STARTTLS completed"##,
        r##"* CAPABILITY IMAP4rev2 AUTH=GSSAPI AUTH=PLAIN"##,
        r##"ijkl OK CAPABILITY completed"##,
        r##"a002 OK NOOP completed"##,
        r##"* 22 EXPUNGE"##,
        r##"* 23 EXISTS"##,
        r##"* 14 FETCH (UID 1305 FLAGS (\Seen \Deleted))"##,
        r##"a047 OK NOOP completed"##,
        r##"* BYE IMAP4rev2 Server logging out"##,
        r##"A023 OK LOGOUT completed"##,
        r##"* CAPABILITY IMAP4rev2 STARTTLS LOGINDISABLED"##,
        r##"a001 OK CAPABILITY completed"##,
        r##"a002 OK Begin TLS negotiation now"##,
        r##"* CAPABILITY IMAP4rev2 AUTH=PLAIN"##,
        r##"a003 OK CAPABILITY completed"##,
        r##"a004 OK Success (tls protection)"##,
        r##"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI]"##,
        r##"+"##,
        r##"+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC"##,
        r##"+ YDMGCSqGSIb3EgECAgIBAAD/////6jcyG4GE3KkTzBeBiVHe"##,
        r##"A001 OK GSSAPI authentication successful"##,
        r##"* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI"##,
        r##"A01 OK STARTTLS completed"##,
        r##"A02 OK CAPABILITY completed"##,
        r##"A03 OK Success (tls protection)"##,
        r##"C01 OK Completed"##,
        r##"A01 OK Success (tls protection)"##,
        r##"* CAPABILITY IMAP4rev2 AUTH=PLAIN AUTH=EXTERNAL"##,
        r##"a001 OK LOGIN completed"##,
        r##"* CAPABILITY IMAP4rev2 ID LITERAL+ X-GOOD-IDEA"##,
        r##"t1 OK foo"##,
        r##"* ENABLED X-GOOD-IDEA"##,
        r##"t2 OK foo"##,
        r##"t3 OK foo again"##,
        r##"* ENABLED CONDSTORE"##,
        r##"a1 OK Conditional Store enabled"##,
        r##"* 172 EXISTS"##,
        r##"* OK [UIDVALIDITY 3857529045] UIDs valid"##,
        r##"* OK [UIDNEXT 4392] Predicted next UID"##,
        r##"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)"##,
        r##"* OK [PERMANENTFLAGS (\Deleted \Seen \*)] Limited"##,
        r##"* LIST () "/" INBOX"##,
        r##"A142 OK [READ-WRITE] SELECT completed"##,
        r##"* OK [CLOSED] Previous mailbox is now closed"##,
        r##"* 5 EXISTS"##,
        r##"* OK [UIDVALIDITY 9877410381] UIDs valid"##,
        r##"* OK [UIDNEXT 102] Predicted next UID"##,
        r##"* LIST () "/" Drafts"##,
        r##"* OK [PERMANENTFLAGS (\Deleted \Seen \Answered"##,
        r##"A143 OK [READ-WRITE] SELECT completed"##,
        r##"* 17 EXISTS"##,
        r##"* LIST () "/" blurdybloop"##,
        r##"* OK [PERMANENTFLAGS ()] No permanent flags permitted"##,
        r##"A932 OK [READ-ONLY] EXAMINE completed"##,
        r##"A003 OK CREATE completed"##,
        r##"A004 OK CREATE completed"##,
        r##"* LIST () "/" "Normalized" ("OLDNAME" ("NonNormalized"))"##,
        r##"A005 OK CREATE completed"##,
        r##"* LIST (\Noselect) "/" foo"##,
        r##"* LIST () "/" foo/bar"##,
        r##"A682 OK LIST completed"##,
        r##"A683 OK DELETE completed"##,
        r##"A684 NO Name "foo" has inferior hierarchical names"##,
        r##"A685 OK DELETE Completed"##,
        r##"A686 OK LIST completed"##,
        r##"A687 OK DELETE Completed"##,
        r##"* LIST () "." blurdybloop"##,
        r##"* LIST () "." foo"##,
        r##"* LIST () "." foo.bar"##,
        r##"A82 OK LIST completed"##,
        r##"A83 OK DELETE completed"##,
        r##"A84 OK DELETE Completed"##,
        r##"A85 OK LIST completed"##,
        r##"* LIST (\Noselect) "." foo"##,
        r##"A86 OK LIST completed"##,
        r##"A683 OK RENAME completed"##,
        r##"A684 OK RENAME Completed"##,
        r##"* LIST () "/" sarasoop"##,
        r##"* LIST (\Noselect) "/" zowie"##,
        r##"* LIST () "/" zowie/bar"##,
        r##"A685 OK LIST completed"##,
        r##"* LIST () "." INBOX"##,
        r##"* LIST () "." INBOX.bar"##,
        r##"Z432 OK LIST completed"##,
        r##"Z433 OK RENAME completed"##,
        r##"* LIST () "." old-mail"##,
        r##"Z434 OK LIST completed"##,
        r##"A002 OK SUBSCRIBE completed"##,
        r##"A002 OK UNSUBSCRIBE completed"##,
        r##"* LIST (\Subscribed \NonExistent) "/" "Fruit/Peach""##,
        r##"* LIST (\NonExistent) "." "INBOX.DeletedMailbox""##,
        r##"* LIST () "/" "NewMailbox" ("OLDNAME" ("OldMailbox"))"##,
        r##"* LIST (\Noselect) "/" """##,
        r##"A101 OK LIST Completed"##,
        r##"* LIST (\Noselect) "." #news."##,
        r##"A102 OK LIST Completed"##,
        r##"* LIST (\Noselect) "/" /"##,
        r##"A103 OK LIST Completed"##,
        r##"* LIST (\Noselect) "/" ~/Mail/foo"##,
        r##"* LIST () "/" ~/Mail/meetings"##,
        r##"A202 OK LIST completed"##,
        r##"* LIST (\Marked \NoInferiors) "/" "inbox""##,
        r##"* LIST () "/" "Fruit""##,
        r##"* LIST () "/" "Fruit/Apple""##,
        r##"* LIST () "/" "Fruit/Banana""##,
        r##"* LIST () "/" "Tofu""##,
        r##"* LIST () "/" "Vegetable""##,
        r##"* LIST () "/" "Vegetable/Broccoli""##,
        r##"* LIST () "/" "Vegetable/Corn""##,
        r##"A01 OK done"##,
        r##"* LIST (\Marked \NoInferiors \Subscribed) "/" "inbox""##,
        r##"* LIST (\Subscribed) "/" "Fruit/Banana""##,
        r##"* LIST (\Subscribed) "/" "Vegetable""##,
        r##"* LIST (\Subscribed) "/" "Vegetable/Broccoli""##,
        r##"A02 OK done"##,
        r##"* LIST (\HasChildren) "/" "Fruit""##,
        r##"* LIST (\HasNoChildren) "/" "Tofu""##,
        r##"* LIST (\HasChildren) "/" "Vegetable""##,
        r##"A03 OK done"##,
        r##"* LIST (\Remote \HasNoChildren) "/" "Bread""##,
        r##"* LIST (\HasChildren \Remote) "/" "Meat""##,
        r##"A04 OK done"##,
        r##"* LIST (\Remote \Subscribed) "/" "Bread""##,
        r##"A05 OK done"##,
        r##"* LIST (\Remote) "/" "Meat""##,
        r##"A06 OK done"##,
        r##"* LIST () "/" "Foo""##,
        r##"* LIST () "/" "Foo/Bar""##,
        r##"* LIST () "/" "Foo/Baz""##,
        r##"* LIST () "/" "Moo""##,
        r##"C01 OK done"##,
        r##"* LIST (\HasChildren) "/" "Foo""##,
        r##"* LIST (\HasNoChildren) "/" "Moo""##,
        r##"CA3 OK done"##,
        r##"* LIST (\Subscribed) "/" "Foo/Baz""##,
        r##"C02 OK done"##,
        r##"* LIST () "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"C04 OK done"##,
        r##"* LIST (\Subscribed \HasChildren) "/" "Foo""##,
        r##"* LIST (\HasChildren \Subscribed) "/" "Foo""##,
        r##"* LIST (\HasNoChildren \Subscribed) "/" "Moo""##,
        r##"* LIST () "/" "foo2""##,
        r##"* LIST () "/" "foo2/bar1""##,
        r##"* LIST () "/" "foo2/bar2""##,
        r##"* LIST () "/" "baz2""##,
        r##"* LIST () "/" "baz2/bar2""##,
        r##"* LIST () "/" "baz2/bar22""##,
        r##"* LIST () "/" "baz2/bar222""##,
        r##"* LIST () "/" "eps2""##,
        r##"* LIST () "/" "eps2/mamba""##,
        r##"* LIST () "/" "qux2/bar2""##,
        r##"D01 OK done"##,
        r##"* LIST (\Subscribed) "/" "foo2/bar1""##,
        r##"* LIST (\Subscribed) "/" "foo2/bar2""##,
        r##"* LIST (\Subscribed) "/" "baz2/bar2""##,
        r##"* LIST (\Subscribed) "/" "baz2/bar22""##,
        r##"* LIST (\Subscribed) "/" "baz2/bar222""##,
        r##"* LIST (\Subscribed) "/" "eps2""##,
        r##"* LIST (\Subscribed) "/" "eps2/mamba""##,
        r##"* LIST (\Subscribed) "/" "qux2/bar2""##,
        r##"D02 OK done"##,
        r##"* LIST () "/" "foo2" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"* LIST (\Subscribed) "/" "eps2" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"D03 OK done"##,
        r##"* LIST () "/" "baz2" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"* LIST (\NonExistent) "/" "qux2" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"* LIST () "/" foo"##,
        r##"a1 OK done"##,
        r##"* LIST (\Subscribed \NonExistent) "/" foo/bar"##,
        r##"a2 OK done"##,
        r##"* LIST (\HasNoChildren) "/" foo ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"a3 OK done"##,
        r##"* LIST () "/" music/rock"##,
        r##"* LIST (\Remote) "/" also/jazz"##,
        r##"* LIST (\NonExistent \HasChildren) "/" music"##,
        r##"* LIST (\NonExistent \HasChildren) "/" also"##,
        r##"a3.1 OK done"##,
        r##"* LIST () "."  "INBOX""##,
        r##"* STATUS "INBOX" (MESSAGES 17 UNSEEN 16)"##,
        r##"* LIST () "." "foo""##,
        r##"* STATUS "foo" (MESSAGES 30 UNSEEN 29)"##,
        r##"* LIST (\NoSelect) "." "bar""##,
        r##"A01 OK List completed."##,
        r##"* LIST (\Subscribed) "."  "INBOX""##,
        r##"* STATUS "INBOX" (MESSAGES 17)"##,
        r##"* LIST () "." "foo" (CHILDINFO ("SUBSCRIBED"))"##,
        r##"A02 OK List completed."##,
        r##"* NAMESPACE (("" "/")) NIL NIL"##,
        r##"A001 OK NAMESPACE command completed"##,
        r##"* NAMESPACE NIL NIL (("" "."))"##,
        r##"* NAMESPACE (("" "/")) NIL (("Public Folders/" "/"))"##,
        r##"* NAMESPACE (("INBOX." ".")) NIL  NIL"##,
        r##"A002 OK CREATE command completed"##,
        r##"* LIST (\NonExistent \Archive) "/" Archives"##,
        r##"* LIST (\NonExistent \Drafts) "/" Drafts"##,
        r##"* LIST (\NonExistent \Junk) "/" Junk"##,
        r##"* LIST (\NonExistent \Sent) "/" "Sent Mail""##,
        r##"* LIST (\NonExistent \Trash) "/" "Deleted Items""##,
        r##"A002 OK LIST Completed"##,
        r##"* LIST (\NonExistent \Archive) "/" "#mh/Archives""##,
        r##"* LIST (\NonExistent \Drafts) "/" "#mh/Drafts""##,
        r##"* LIST (\NonExistent \Junk) "/" "#mh/Junk""##,
        r##"* LIST (\NonExistent \Sent) "/" "#mh/Sent Mail""##,
        r##"* LIST (\NonExistent \Trash) "/" "#mh/Deleted Items""##,
        r##"A003 OK LIST Completed"##,
        r##"A004 OK CREATE command completed"##,
        r##"A005 OK CREATE command completed"##,
        r##"A006 OK CREATE command completed"##,
        r##"* NAMESPACE (("" "/")) (("Other Users/" "/")) NIL"##,
        r##"* LIST () "/" "Other Users/Mike""##,
        r##"* LIST () "/" "Other Users/Karen""##,
        r##"* LIST () "/" "Other Users/Matthew""##,
        r##"* LIST () "/" "Other Users/Tesa""##,
        r##"A002 OK LIST command completed"##,
        r##"* NAMESPACE (("" "/")) (("#Users/" "/")) NIL"##,
        r##"A002 NO The requested item could not be found."##,
        r##"* LIST () "/" "#Users/Mike/INBOX""##,
        r##"* LIST () "/" "#Users/Mike/Foo""##,
        r##"A003 OK LIST command completed."##,
        r##"* NAMESPACE (("" "/")) (("~" "/")) NIL"##,
        r##"* LIST () "/" "~mark/INBOX""##,
        r##"* LIST () "/" "~mark/foo""##,
        r##"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)"##,
        r##"A042 OK STATUS completed"##,
        r##"+ Ready for literal data"##,
        r##"A003 OK APPEND completed"##,
        r##"A003 OK [APPENDUID 38505 3955] APPEND completed"##,
        r##"A004 OK [COPYUID 38505 304,319:320 3956:3958] Done"##,
        r##"A005 OK No matching messages, so nothing copied"##,
        r##"A006 OK Done"##,
        r##"* 1 EXISTS"##,
        r##"* OK [UIDVALIDITY 3857529045] Validity session-only"##,
        r##"* OK [UIDNEXT 2] Predicted next UID"##,
        r##"* NO [UIDNOTSTICKY] Non-persistent UIDs"##,
        r##"* OK [PERMANENTFLAGS (\Deleted \Seen)] Limited"##,
        r##"* LIST () "." funny"##,
        r##"A007 OK [READ-WRITE] SELECT completed"##,
        r##"* FLAGS (\Deleted \Seen \Flagged)"##,
        r##"* OK [PERMANENTFLAGS (\Deleted \Seen \Flagged)] Limited"##,
        r##"* 3 EXISTS"##,
        r##"* OK [UIDVALIDITY 1]"##,
        r##"* OK [UIDNEXT 1]"##,
        r##"A001 OK [READ-WRITE] SELECT completed"##,
        r##"+ idling"##,
        r##"* 4 EXISTS"##,
        r##"A002 OK IDLE terminated"##,
        r##"A003 OK FETCH completed"##,
        r##"* 2 EXPUNGE"##,
        r##"* 3 EXPUNGE"##,
        r##"* 2 EXISTS"##,
        r##"A004 OK IDLE terminated"##,
        r##"A005 OK FETCH completed"##,
        r##"A341 OK CLOSE completed"##,
        r##"A342 OK Unselect completed"##,
        r##"* 5 EXPUNGE"##,
        r##"* 8 EXPUNGE"##,
        r##"A202 OK EXPUNGE completed"##,
        r##"* ESEARCH (TAG "A282") MIN 2 COUNT 3"##,
        r##"A282 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "A283") ALL 2,10:11"##,
        r##"A283 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "A284")"##,
        r##"A284 OK SEARCH completed"##,
        r##"+ Ready for literal text"##,
        r##"* ESEARCH (TAG "A285") ALL 43"##,
        r##"A285 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "A284") MIN 4"##,
        r##"* ESEARCH (TAG "A285") UID MIN 7 MAX 3800"##,
        r##"* ESEARCH (TAG "A286") COUNT 15"##,
        r##"A286 OK SEARCH completed"##,
        r##"A282 OK SEARCH completed, result saved"##,
        r##"A283 OK completed"##,
        r##"A300 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "A301") UID ALL 17,900,901"##,
        r##"A301 OK completed"##,
        r##"P282 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "P283") ALL 882,1102,3003,3005:3006"##,
        r##"P283 OK completed"##,
        r##"B282 OK SEARCH completed"##,
        r##"B283 NO [BADCHARSET UTF-8] KOI8-R is not supported"##,
        r##"E282 OK SEARCH completed"##,
        r##"E283 OK COPY completed, nothing copied"##,
        r##"F282 OK SEARCH completed"##,
        r##"F283 OK COPY completed"##,
        r##"F284 OK STORE completed"##,
        r##"* ESEARCH (TAG "G283") ALL 3:15,27,29:103"##,
        r##"G283 OK SEARCH completed"##,
        r##"G282 OK SEARCH completed"##,
        r##"H282 OK SEARCH completed"##,
        r##"H283 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "C283") ALL 2,10:15,21"##,
        r##"C282 OK SEARCH completed"##,
        r##"C283 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "C284") MIN 2"##,
        r##"C284 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "C285") MIN 2 MAX 21"##,
        r##"C285 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "C286") MIN 2 MAX 21 COUNT 8"##,
        r##"C286 OK SEARCH completed"##,
        r##"* ESEARCH (TAG "C286") MIN 2 ALL 2,10:15,21"##,
        r##"A654 OK FETCH completed"##,
        r##"* 2 FETCH (FLAGS (\Deleted \Seen))"##,
        r##"* 3 FETCH (FLAGS (\Deleted))"##,
        r##"* 4 FETCH (FLAGS (\Deleted \Flagged \Seen))"##,
        r##"A003 OK STORE completed"##,
        r##"A003 OK [COPYUID 38505 304,319:320 3956:3958] COPY completed"##,
        r##"* OK [COPYUID 432432 42:69 1202:1229]"##,
        r##"a OK Done"##,
        r##"A003 OK UID EXPUNGE completed"##,
        r##"* 23 FETCH (FLAGS (\Seen) UID 4827313)"##,
        r##"* 24 FETCH (FLAGS (\Seen) UID 4827943)"##,
        r##"* 25 FETCH (FLAGS (\Seen) UID 4828442)"##,
        r##"A999 OK UID FETCH completed"##,
        r##"* CAPABILITY IMAP4rev2 XPIG-LATIN"##,
        r##"a441 OK CAPABILITY completed"##,
        r##"* XPIG-LATIN ow-nay eaking-spay ig-pay atin-lay"##,
        r##"A442 OK XPIG-LATIN ompleted-cay"##,
        r##"o356 NO [ALREADYEXISTS] Mailbox "that" already exists"##,
        r##"b NO [AUTHENTICATIONFAILED] Authentication failed"##,
        r##"c1 NO [AUTHORIZATIONFAILED] No such authorization-ID"##,
        r##"c2 NO [AUTHORIZATIONFAILED] Authenticator is not an admin"##,
        r##"l NO [CANNOT] Adjacent slashes are not supported"##,
        r##"k1 OK [READ-ONLY] Done"##,
        r##"k2 OK [CLIENTBUG] Done"##,
        r##"e NO [CONTACTADMIN]"##,
        r##"i NO [CORRUPTION] Cannot open mailbox"##,
        r##"d NO [EXPIRED] That password isn't valid any more"##,
        r##"* ESEARCH (TAG "h") ALL 1:3,5,8,13,21,42"##,
        r##"h OK [EXPUNGEISSUED] Search completed"##,
        r##"o356 NO [HASCHILDREN] Mailbox "Notes" has children"##,
        r##"g NO [INUSE] Mailbox in use"##,
        r##"m NO [LIMIT] At most 32 flags in one mailbox supported"##,
        r##"p NO [NONEXISTENT] No such mailbox"##,
        r##"f NO [NOPERM] Access denied"##,
        r##"n1 NO [OVERQUOTA] Sorry"##,
        r##"n2 OK [OVERQUOTA] You are now over your soft quota"##,
        r##"d NO [PRIVACYREQUIRED] Connection offers no privacy"##,
        r##"j NO [SERVERBUG] This should not happen"##,
        r##"a NO [UNAVAILABLE] User's backend down for maintenance"##,
        r##"* OK IMAP4rev2 server ready"##,
        r##"* OK [ALERT] System shutdown in 10 minutes"##,
        r##"A001 OK LOGIN Completed"##,
        r##"* NO Disk is 98% full, please delete unnecessary data"##,
        r##"A222 OK COPY completed"##,
        r##"* NO Disk is 99% full, please delete unnecessary data"##,
        r##"A223 NO COPY failed: disk is full"##,
        r##"* BAD Command line too long"##,
        r##"* BAD Empty command line"##,
        r##"* BAD Disk crash, attempting salvage to a new disk!"##,
        r##"* OK Salvage successful, no data lost"##,
        r##"A443 OK Expunge completed"##,
        r##"* PREAUTH IMAP4rev2 server logged in as Smith"##,
        r##"* BYE Autologout; idle for too long"##,
        r##"* ENABLED CONDSTORE QRESYNC"##,
        r##"* CAPABILITY STARTTLS AUTH=GSSAPI IMAP4rev2 LOGINDISABLED"##,
        r##"* ESEARCH UID COUNT 17 ALL 4:18,21,28"##,
        r##"* ESEARCH (TAG "a567") UID COUNT 17 ALL 4:18,21,28"##,
        r##"* ESEARCH COUNT 18 ALL 1:17,21"##,
        r##"* 44 EXPUNGE"##,
        r##"* 23 FETCH (FLAGS (\Seen) RFC822.SIZE 44827 UID 447)"##,
        r##"+ Ready for additional command text"##,
        r##"A001 OK LOGIN completed"##,
        r##"A044 BAD No such command as "BLURDYBLOOP""##,
        r##"* OK [CAPABILITY STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED"##,
        r##"a000 OK Proceed with TLS negotiation"##,
        r##"+ cj1yT3ByTkdmd0ViZVJXZ2JORWtxTyVodllEcFdVYTJSYVRDQWZ1eEZJbGopaE"##,
        r##"+ dj02cnJpVFJCaTIzV3BSUi93dHVwK21NaFVaVW4vZEI1bkxUSlJzamw5NUc0"##,
        r##"A001 OK SCRAM-SHA-256 authentication successful"##,
        r##"* ENABLED IMAP4rev2"##,
        r##"babc OK Some capabilities enabled"##,
        r##"* 18 EXISTS"##,
        r##"* LIST () "/" INBOX ("OLDNAME" ("inbox"))"##,
        r##"a002 OK [READ-WRITE] SELECT completed"##,
        r##"a003 OK FETCH completed"##,
        r##"a004 OK FETCH completed"##,
        r##"* 12 FETCH (FLAGS (\Seen \Deleted))"##,
        r##"a005 OK +FLAGS completed"##,
        r##"* BYE IMAP4rev2 server terminating connection"##,
        r##"a006 OK LOGOUT completed"##,
    ] {
        check(line);
    }
}

/// RFC3501 (IMAP4rev1 §6–§8): every example server line.
#[test]
fn rfc3501_server_lines() {
    for line in [
        r##"* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI"##,
        r##"efgh OK STARTLS completed"##,
        r##"* CAPABILITY IMAP4rev1 AUTH=GSSAPI AUTH=PLAIN"##,
        r##"* 3 RECENT"##,
        r##"* 14 FETCH (FLAGS (\Seen \Deleted))"##,
        r##"* BYE IMAP4rev1 Server logging out"##,
        r##"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED"##,
        r##"* CAPABILITY IMAP4rev1 AUTH=PLAIN"##,
        r##"a004 OK LOGIN completed"##,
        r##"* 1 RECENT"##,
        r##"* OK [UNSEEN 12] Message 12 is first unseen"##,
        r##"* 2 RECENT"##,
        r##"* OK [UNSEEN 8] Message 8 is first unseen"##,
        r##"* LSUB () "." #news.comp.mail.mime"##,
        r##"* LSUB () "." #news.comp.mail.misc"##,
        r##"A002 OK LSUB completed"##,
        r##"* LSUB (\NoSelect) "." #news.comp.mail"##,
        r##"A003 OK LSUB completed"##,
        r##"FXXZ OK CHECK Completed"##,
        r##"* SEARCH 2 84 882"##,
        r##"* SEARCH"##,
        r##"* SEARCH 43"##,
        r##"A003 OK COPY completed"##,
        r##"* CAPABILITY IMAP4rev1 XPIG-LATIN"##,
        r##"* OK IMAP4rev1 Service Ready"##,
        r##"* OK [UNSEEN 17] Message 17 is the first unseen message"##,
        r##"* BYE IMAP4rev1 server terminating connection"##,
    ] {
        check(line);
    }
}

/// RFC4315 (UIDPLUS): every example server line.
#[test]
fn rfc4315_server_lines() {
    check(r##"* OK [UNSEEN 1] Message 1 is first unseen"##);
}

/// RFC7162 (CONDSTORE/QRESYNC): every example server line.
#[test]
fn rfc7162_server_lines() {
    for line in [
        r##"* OK [HIGHESTMODSEQ 715194045007]"##,
        r##"* OK [NOMODSEQ] Sorry, this mailbox format doesn't support"##,
        r##"* 1 FETCH (UID 4 MODSEQ (12121231000))"##,
        r##"* 2 FETCH (UID 6 MODSEQ (12121230852))"##,
        r##"* 4 FETCH (UID 8 MODSEQ (12121230956))"##,
        r##"a103 OK Conditional Store completed"##,
        r##"* 50 FETCH (MODSEQ (12111230047))"##,
        r##"a104 OK Store (conditional) completed"##,
        r##"* OK [HIGHESTMODSEQ 12111230047]"##,
        r##"* 50 FETCH (MODSEQ (12111230048))"##,
        r##"c101 OK Store (conditional) completed"##,
        r##"* 5 FETCH (MODSEQ (320162350))"##,
        r##"d105 OK [MODIFIED 7,9] Conditional STORE failed"##,
        r##"* 7 FETCH (MODSEQ (320162342) FLAGS (\Seen \Deleted))"##,
        r##"* 9 FETCH (MODSEQ (320162349) FLAGS (\Answered))"##,
        r##"a102 OK [MODIFIED 12] Conditional STORE failed"##,
        r##"* 100 FETCH (MODSEQ (303181230852))"##,
        r##"* 102 FETCH (MODSEQ (303181230852))"##,
        r##"* 150 FETCH (MODSEQ (303181230852))"##,
        r##"a106 OK [MODIFIED 101] Conditional STORE failed"##,
        r##"* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed))"##,
        r##"a107 OK"##,
        r##"* 101 FETCH (MODSEQ (303011130956) FLAGS (\Deleted \Answered))"##,
        r##"b107 OK"##,
        r##"* 101 FETCH (MODSEQ (303181230852))"##,
        r##"b108 OK Conditional Store completed"##,
        r##"a106 OK Conditional STORE completed"##,
        r##"* 1 FETCH (MODSEQ (320172342) FLAGS (\SEEN))"##,
        r##"* 3 FETCH (MODSEQ (320172342) FLAGS (\SEEN))"##,
        r##"B001 NO [MODIFIED 2] Some of the messages no longer exist."##,
        r##"* 4 EXPUNGE"##,
        r##"* 2 FETCH (MODSEQ (320172340) FLAGS (\Deleted \Answered))"##,
        r##"B002 OK NOOP Completed."##,
        r##"* 2 FETCH (MODSEQ (320180050) FLAGS (\SEEN \Flagged))"##,
        r##"b003 OK Conditional Store completed"##,
        r##"* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\Seen))"##,
        r##"* 2 FETCH (UID 6 MODSEQ (75403) FLAGS (\Deleted))"##,
        r##"s100 OK FETCH completed"##,
        r##"* 1 FETCH (MODSEQ (624140003))"##,
        r##"* 2 FETCH (MODSEQ (624140007))"##,
        r##"* 3 FETCH (MODSEQ (624140005))"##,
        r##"a OK Fetch complete"##,
        r##"* OK [PERMANENTFLAGS (\Answered \Deleted \Seen \*)] Limited"##,
        r##"* 7 FETCH (MODSEQ (2121231000))"##,
        r##"A160 OK Store completed"##,
        r##"* 7 FETCH (FLAGS (\Deleted \Answered) MODSEQ (12121231000))"##,
        r##"C180 OK Noop completed"##,
        r##"D210 OK Noop completed"##,
        r##"* 7 FETCH (MODSEQ (12121231777))"##,
        r##"A240 OK Store completed"##,
        r##"C270 OK Noop completed"##,
        r##"D300 OK Noop completed"##,
        r##"* 7 FETCH (MODSEQ (12121245160))"##,
        r##"A330 OK Store completed"##,
        r##"* 7 FETCH (FLAGS (\Deleted) MODSEQ (12121245160))"##,
        r##"C360 OK Noop completed"##,
        r##"D390 OK Noop completed"##,
        r##"* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)"##,
        r##"a OK Search complete"##,
        r##"t OK Search complete, nothing found"##,
        r##"A142 OK [READ-WRITE] SELECT completed, CONDSTORE is now enabled"##,
        r##"* ESEARCH (TAG "a") ALL 1:3,5 MODSEQ 1236"##,
        r##"a OK Extended SEARCH completed"##,
        r##"* ESEARCH (TAG "a") ALL 5,3,2,1 MODSEQ 1236"##,
        r##"a OK Extended SORT completed"##,
        r##"* 464 EXISTS"##,
        r##"* OK [UIDVALIDITY 3857529045] UIDVALIDITY"##,
        r##"* OK [UIDNEXT 550] Predicted next UID"##,
        r##"* OK [HIGHESTMODSEQ 90060128194045007] Highest mailbox"##,
        r##"* FLAGS (\Answered \Flagged \Draft \Deleted \Seen)"##,
        r##"* OK [PERMANENTFLAGS (\Answered \Flagged \Draft"##,
        r##"A02 OK [READ-WRITE] Sorry, UIDVALIDITY mismatch"##,
        r##"* OK [CLOSED]"##,
        r##"* 100 EXISTS"##,
        r##"* 11 RECENT"##,
        r##"* OK [UIDVALIDITY 67890007] UIDVALIDITY"##,
        r##"* OK [UIDNEXT 600] Predicted next UID"##,
        r##"* OK [HIGHESTMODSEQ 90060115205545359] Highest"##,
        r##"* OK [UNSEEN 7] There are some unseen"##,
        r##"* VANISHED (EARLIER) 41,43:116,118,120:211,214:540"##,
        r##"A03 OK [READ-WRITE] mailbox selected"##,
        r##"* 10003 EXISTS"##,
        r##"* 4 RECENT"##,
        r##"* OK [UIDNEXT 30013] Predicted next UID"##,
        r##"* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox"##,
        r##"* OK [UNSEEN 7] There are some unseen messages in the mailbox"##,
        r##"A04 OK [READ-WRITE] mailbox selected"##,
        r##"* OK [HIGHESTMODSEQ 90060115205545359] Highest mailbox mod-"##,
        r##"B04 OK [READ-WRITE] mailbox selected"##,
        r##"* 1 FETCH (UID 404 MODSEQ (65402) FLAGS (\Seen))"##,
        r##"* 2 FETCH (UID 406 MODSEQ (75403) FLAGS (\Deleted))"##,
        r##"* SEARCH 404 406 407 408 410 412"##,
        r##"s101 OK search completed"##,
        r##"* VANISHED (EARLIER) 300:310,405,411"##,
        r##"A202 OK [HIGHESTMODSEQ 20010715194045319] expunged"##,
        r##"* VANISHED 405,407,410,425"##,
        r##"B202 OK [HIGHESTMODSEQ 20010715194045319] expunged"##,
        r##"A202 OK done"##,
        r##". OK [HIGHESTMODSEQ 20010715194045319] Ok"##,
        r##"* VANISHED 505,507,510,625"##,
        r##"* VANISHED 504,508"##,
        r##"A210 OK EXPUNGE completed"##,
        r##"* VANISHED 1"##,
        r##"* VANISHED 3"##,
        r##"* VANISHED 5"##,
        r##"* 1 FETCH (UID 6 MODSEQ (103))"##,
        r##"* 2 FETCH (UID 7 MODSEQ (101))"##,
        r##"* OK [HIGHESTMODSEQ 99] VANISHED reply with MODSEQ 100 is delayed"##,
        r##"A150 OK [MODIFIED 3] done"##,
        r##"* 3 FETCH (UID 8 MODSEQ (104))"##,
        r##"A151 OK [HIGHESTMODSEQ 99] Still delaying VANISHED"##,
        r##"* VANISHED 8"##,
        r##"A153 OK [HIGHESTMODSEQ 104] done"##,
        r##"* OK [UIDNEXT 201] Predicted next UID"##,
        r##"* OK [HIGHESTMODSEQ 20010715194045007] Highest"##,
        r##"* VANISHED (EARLIER) 1:5,7:8,10:15"##,
    ] {
        check(line);
    }
}

/// RFC5530 (response codes): every example server line.
#[test]
fn rfc5530_server_lines() {
    for line in [
        r##"e OK [CONTACTADMIN]"##,
        r##"* SEARCH 1 2 3 5 8 13 21 42"##,
        r##"o NO [ALREADYEXISTS] Mailbox "that" already exists"##,
    ] {
        check(line);
    }
}

/// RFC4731 (ESEARCH): every example server line.
#[test]
fn rfc4731_server_lines() {
    for line in [
        r##"* ESEARCH (TAG "a1") MIN 2 MODSEQ 917162488"##,
        r##"a1 OK Search complete"##,
        r##"* ESEARCH (TAG "a2") MAX 23 MODSEQ 907162321"##,
        r##"a2 OK Search complete"##,
        r##"* ESEARCH (TAG "a3") MIN 2 MAX 23 MODSEQ 917162488"##,
        r##"a3 OK Search complete"##,
        r##"* ESEARCH (TAG "a4") MIN 2 COUNT 10 MODSEQ 917162500"##,
        r##"a4 OK Search complete"##,
    ] {
        check(line);
    }
}

/// RFC5256 (SORT/THREAD): every example server line.
#[test]
fn rfc5256_server_lines() {
    for line in [
        r##"* SORT 2 84 882"##,
        r##"A282 OK SORT completed"##,
        r##"* SORT 5 3 4 1 2"##,
        r##"A283 OK SORT completed"##,
        r##"* SORT"##,
        r##"A284 OK SORT completed"##,
        r##"* THREAD (166)(167)(168)(169)(172)(170)(171)"##,
        r##"A283 OK THREAD completed"##,
        r##"* THREAD"##,
        r##"A284 OK THREAD completed"##,
        r##"* THREAD (166)(167)(168)(169)(172)((170)(179))"##,
        r##"A285 OK THREAD completed"##,
    ] {
        check(line);
    }
}

/// RFC5258 (LIST-EXTENDED): every example server line.
#[test]
fn rfc5258_server_lines() {
    for line in [
        r##"* LIST (\Remote) "/" "Bread""##,
        r##"* LIST () "/" "INBOX""##,
        r##"* LIST (\NoInferiors) "/" "Drafts""##,
        r##"* LIST () "/" "Sent/March2004""##,
        r##"* LIST (\Marked) "/" "Sent/December2003""##,
        r##"* LIST () "/" "Sent/August2004""##,
        r##"BBB OK done"##,
        r##"* LIST (\Subscribed) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"* LIST (\NonExistent) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"##,
    ] {
        check(line);
    }
}

/// RFC2342 (NAMESPACE): every example server line.
#[test]
fn rfc2342_server_lines() {
    check(r##"A003 OK CREATE command completed"##);
}

/// RFC2971 (ID): every example server line.
#[test]
fn rfc2971_server_lines() {
    for line in [
        r##"* ID NIL"##,
        r##"a023 OK ID completed"##,
        r##"a042 OK ID command completed"##,
    ] {
        check(line);
    }
}

/// RFC9208 (QUOTA): every example server line.
#[test]
fn rfc9208_server_lines() {
    for line in [
        r##"* QUOTA "!partition/sda4" (STORAGE 104 10923847)"##,
        r##"G0001 OK Getquota complete"##,
        r##"* QUOTAROOT INBOX "#user/alice" "!partition/sda4""##,
        r##"* QUOTA "#user/alice" (MESSAGE 42 1000)"##,
        r##"G0002 OK Getquotaroot complete"##,
        r##"* QUOTA "#user/alice" (STORAGE 54 111 MESSAGE 42 1000)"##,
        r##"S0000 OK Getquota completed"##,
        r##"* QUOTA "#user/alice" (STORAGE 58 512)"##,
        r##"S0001 OK Rounded quota"##,
        r##"S0002 NO Cannot change system limit"##,
        r##"* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)"##,
        r##"S0003 OK Status complete."##,
        r##"* QUOTA "" (STORAGE 10 512)"##,
        r##"* QUOTAROOT INBOX """##,
        r##"* QUOTAROOT comp.mail.mime"##,
        r##"A003 NO [OVERQUOTA] APPEND Failed"##,
        r##"* NO [OVERQUOTA] Soft quota has been exceeded"##,
        r##"A004 OK [COPYUID 38505 304,319:320 3956:3958] COPY"##,
    ] {
        check(line);
    }
}

/// RFC5464 (METADATA): every example server line.
#[test]
fn rfc5464_server_lines() {
    for line in [
        r##"* METADATA "" (/shared/comment "Shared comment")"##,
        r##"a OK GETMETADATA complete"##,
        r##"* METADATA "INBOX" (/private/comment "My own comment")"##,
        r##"a OK [METADATA LONGENTRIES 2199] GETMETADATA complete"##,
        r##"+ ready for data"##,
        r##"a OK SETMETADATA complete"##,
        r##"a NO [METADATA TOOMANY] SETMETADATA failed"##,
        r##"* METADATA "" (/shared/comment "My comment")"##,
        r##"* METADATA "INBOX" (/private/comment "My comment")"##,
        r##"* METADATA "INBOX" (/shared/comment "Its sunny outside!")"##,
        r##"* METADATA "" /shared/comment"##,
        r##"a OK NOOP complete"##,
        r##"* METADATA "INBOX" /shared/comment /private/comment"##,
    ] {
        check(line);
    }
}

/// RFC5161 (ENABLE): every example server line.
#[test]
fn rfc5161_server_lines() {
    check(r##"* CAPABILITY IMAP4rev1 ID LITERAL+ ENABLE X-GOOD-IDEA"##);
}

/// RFC6154 (SPECIAL-USE): every example server line.
#[test]
fn rfc6154_server_lines() {
    for line in [
        r##"* LIST (\Marked \HasNoChildren) "/" Inbox"##,
        r##"* LIST (\HasNoChildren) "/" ToDo"##,
        r##"* LIST (\HasChildren) "/" Projects"##,
        r##"* LIST (\Sent \HasNoChildren) "/" SentMail"##,
        r##"* LIST (\Marked \Drafts \HasNoChildren) "/" MyDrafts"##,
        r##"* LIST (\Trash \HasNoChildren) "/" Trash"##,
        r##"t1 OK done"##,
        r##"* CAPABILITY IMAP4rev1 SPECIAL-USE"##,
        r##"* LIST (\Marked) "/" Inbox"##,
        r##"* LIST () "/" ToDo"##,
        r##"* LIST () "/" Projects"##,
        r##"* LIST (\Sent) "/" SentMail"##,
        r##"* LIST (\Marked \Drafts) "/" MyDrafts"##,
        r##"* LIST (\Trash) "/" Trash"##,
        r##"t2 OK done"##,
        r##"t3 OK done"##,
        r##"* CAPABILITY IMAP4rev1 CREATE-SPECIAL-USE"##,
        r##"t2 OK MySpecial created"##,
        r##"t3 NO [USEATTR] \All not supported"##,
        r##"* LIST (\Drafts) "/" MyDrafts"##,
        r##"* LIST () "/" SavedDrafts"##,
        r##"* METADATA "MyDrafts" (/private/specialuse "\\Drafts")"##,
        r##"* METADATA "MyDrafts" (/private/specialuse NIL)"##,
        r##"t3 OK SETMETADATA complete"##,
        r##"t4 OK SETMETADATA complete"##,
        r##"* LIST () "/" SentMail"##,
        r##"* LIST () "/" MyDrafts"##,
        r##"* LIST (\Drafts) "/" SavedDrafts"##,
        r##"t5 OK done"##,
    ] {
        check(line);
    }
}

/// RFC2087 (QUOTA (old)): every example server line.
#[test]
fn rfc2087_server_lines() {
    for line in [
        r##"A001 OK Setquota completed"##,
        r##"A003 OK Getquota completed"##,
    ] {
        check(line);
    }
}

/// RFC8474 (OBJECTID): every example server line.
#[test]
fn rfc8474_server_lines() {
    for line in [
        r##"3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed"##,
        r##"4 OK [MAILBOXID (F6352ae03-b7f5-463c-896f-d8b48ee3)] Completed"##,
        r##"5 NO Mailbox already exists"##,
        r##"* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok"##,
        r##"27 OK [READ-WRITE] Completed"##,
        r##"* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))"##,
        r##"6 OK Completed"##,
        r##"* STATUS bar (MAILBOXID (F6352ae03-b7f5-463c-896f-d8b48ee3))"##,
        r##"7 OK Completed"##,
        r##"* OK rename foo renamed"##,
        r##"8 OK Completed"##,
        r##"* STATUS renamed (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))"##,
        r##"9 OK Completed"##,
        r##"10 OK Completed"##,
        r##"* LIST (\HasNoChildren) "." INBOX"##,
        r##"* STATUS INBOX (MAILBOXID (Ff8e3ead4-9389-4aff-adb1-d8d89efd8cbf))"##,
        r##"* LIST (\HasNoChildren) "." bar"##,
        r##"* LIST (\HasNoChildren) "." renamed"##,
        r##"11 OK Completed (0.001 secs 3 calls)"##,
        r##"5 OK [APPENDUID 1521475658 1] Completed"##,
        r##"11 OK [APPENDUID 1521475658 2] Completed"##,
        r##"17 OK [APPENDUID 1521475658 3] Completed"##,
        r##"* 1 FETCH (EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9))"##,
        r##"* 2 FETCH (EMAILID (M288836c4c7a762) THREADID (T64b478a75b7ea9))"##,
        r##"* 3 FETCH (EMAILID (M5fdc09b49ea703) THREADID (T11863d02dd95b5))"##,
        r##"22 OK Completed (0.000 sec)"##,
        r##"* OK [COPYUID 1521475659 2 1] Completed"##,
        r##"23 OK Completed"##,
        r##"* 2 FETCH (EMAILID (M5fdc09b49ea703) THREADID (T11863d02dd95b5))"##,
        r##"24 OK Completed (0.000 sec)"##,
        r##"25 OK [READ-WRITE] Completed"##,
        r##"* 1 FETCH (EMAILID (M288836c4c7a762) THREADID (T64b478a75b7ea9))"##,
        r##"26 OK Completed (0.000 sec)"##,
        r##"* 1 FETCH (EMAILID (M00000001) THREADID NIL)"##,
        r##"* 2 FETCH (EMAILID (M00000002) THREADID NIL)"##,
        r##"* SEARCH 1"##,
        r##"27 OK Completed (1 msgs in 0.000 secs)"##,
        r##"* SEARCH 1 2"##,
        r##"28 OK Completed (2 msgs in 0.000 secs)"##,
    ] {
        check(line);
    }
}

/// RFC2177 (IDLE): every example server line.
#[test]
fn rfc2177_server_lines() {
    for line in [
        r##"* FLAGS (Deleted Seen)"##,
        r##"* 0 RECENT"##,
        r##"A001 OK SELECT completed"##,
    ] {
        check(line);
    }
}

/// RFC3691 (UNSELECT): every example server line.
#[test]
fn rfc3691_server_lines() {
    check(r##"A341 OK Unselect completed"##);
}

/// RFC8438 (STATUS=SIZE): every example server line.
#[test]
fn rfc8438_server_lines() {
    for line in [
        r##"* STATUS frop (MESSAGES 8 SIZE 44421 UIDNEXT 242344)"##,
        r##"A01 OK STATUS completed"##,
        r##"* 8 EXISTS"##,
        r##"* OK [UNSEEN 7] First unseen."##,
        r##"* OK [UIDVALIDITY 1364851417] UIDs valid"##,
        r##"* OK [UIDNEXT 242344] Predicted next UID"##,
        r##"* OK [HIGHESTMODSEQ 3914] Highest"##,
        r##"A02 OK [READ-WRITE] Select completed."##,
        r##"* 1 FETCH (RFC822.SIZE 3224)"##,
        r##"* 2 FETCH (RFC822.SIZE 1222)"##,
        r##"* 3 FETCH (RFC822.SIZE 444)"##,
        r##"* 4 FETCH (RFC822.SIZE 4516)"##,
        r##"* 5 FETCH (RFC822.SIZE 544)"##,
        r##"* 6 FETCH (RFC822.SIZE 922)"##,
        r##"* 7 FETCH (RFC822.SIZE 31126)"##,
        r##"* 8 FETCH (RFC822.SIZE 2423)"##,
        r##"A03 OK Fetch completed."##,
        r##"* LIST () "." "INBOX""##,
        r##"* STATUS "INBOX" (MESSAGES 17 SIZE 16234)"##,
        r##"* LIST () "." "frop""##,
        r##"* STATUS "frop" (MESSAGES 8 SIZE 44421)"##,
        r##"A04 OK List completed."##,
    ] {
        check(line);
    }
}

/// RFC4978 (COMPRESS): every example server line.
#[test]
fn rfc4978_server_lines() {
    for line in [
        r##"* OK [CAPABILITY IMAP4REV1 STARTTLS COMPRESS=DEFLATE]"##,
        r##"a OK TLS active"##,
        r##"b OK Logged in as arnt"##,
        r##"d OK DEFLATE active"##,
        r##"c NO [COMPRESSIONACTIVE] DEFLATE active via TLS"##,
    ] {
        check(line);
    }
}

/// Lines the RFCs wrap over two or three lines for page layout, joined.
#[test]
fn wrapped_lines_joined() {
    for line in [
        r##"* LIST (\Subscribed) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"* LIST (\NonExistent) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"* LIST (\Subscribed \HasChildren) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))"##,
        r##"* NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/") ("#public/" "/")("#ftp/" "/")("#news." "."))"##,
        r##"* NAMESPACE (("" "/")("#mh/" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL NIL"##,
        r##"* LIST (\Marked) ":" Tables (tablecloth (("edge" "lacy") ("color" "red")) Sample "text")"##,
        r##"* LIST () ":" Tables:new (tablecloth ("edge" "lacy") Sample ("text" "more text"))"##,
        r##"* 101 FETCH (MODSEQ (303011130956) FLAGS ($Processed \Deleted \Answered))"##,
        r##"* 4 FETCH (UID 8 MODSEQ (29738) FLAGS ($NoJunk $AutoJunk $MDNSent))"##,
        r##"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)"##,
        r##"* 2 FETCH (UID 6 MODSEQ (20010715205008000) FLAGS (\Deleted))"##,
        r##"* 5 FETCH (UID 9 MODSEQ (20010715195517000) FLAGS ($NoJunk $AutoJunk $MDNSent))"##,
        r##"* ID ("name" "Cyrus" "version" "1.5" "os" "sunos" "os-version" "5.5" "support-url" "mailto:cyrus-bugs+@andrew.cmu.edu")"##,
        r##"* METADATA "INBOX" (/shared/comment "Shared comment" /private/comment "My own comment")"##,
        r##"* METADATA "INBOX" (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM \"boss@example.com\"")"##,
        r##"* METADATA "INBOX" (/private/comment "My comment" /shared/comment "Its sunny outside!")"##,
        r##"* 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))"##,
    ] {
        check(line);
    }
}
