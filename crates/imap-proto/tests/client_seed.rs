//! The seed overview's IMAP session (CAPABILITY, LOGIN, SELECT, FETCH ALL, LOGOUT) through
//! the client: the server's lines fed whole, byte by byte and at random splits, the client's
//! output compared with the script's client lines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod client_support;

use client_support::transcript;

#[test]
fn seed_overview_session_as_client() {
    // The overview shows no greeting and `RFC822 {...}` placeholders: the greeting is added
    // and the placeholders are real literals (23 and 24 octets).
    let seen = transcript(
        r#"
        S: * OK IMAP4rev1 Service Ready
        C: A001 CAPABILITY
        S: * CAPABILITY IMAP4rev1 CHILDREN IDLE NAMES STARTTLS UIDPLUS
        S: A001 OK CAPABILITY completed
        C: A002 LOGIN username password
        S: A002 OK Logged in
        C: A003 SELECT INBOX
        S: * 1 EXISTS
        S: * 2 RECENT
        S: * FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)
        S: A003 OK [READ-WRITE] Selected
        C: A004 FETCH 1:2 ALL
        S: * 1 FETCH (FLAGS (\\Seen) INTERNALDATE "14-Aug-2012 10:45:01 +0100" RFC822 {23}
        S: Subject: one
        S:
        S: first
        S: )
        S: * 2 FETCH (FLAGS (\\Recent) INTERNALDATE "14-Aug-2012 10:46:01 +0100" RFC822 {24}
        S: Subject: two
        S:
        S: second
        S: )
        S: A004 OK FETCH completed
        C: A005 LOGOUT
        S: * BYE IMAP4rev1 Server logging out
        S: A005 OK LOGOUT completed
        "#,
    );
    let e = &seen.events;
    assert!(e[0].starts_with("Greeting("), "{e:#?}");
    assert!(seen.has(&[
        "Capabilities(",
        "Idle",
        "StartTls",
        "UidPlus",
        "Other(Atom(\"NAMES\"))"
    ]));
    assert!(seen.has(&["Completed", "\"A002\"", "LOGIN", "Ok"]));
    assert!(seen.has(&["Untagged", "\"A003\"", "Exists(1)"]));
    assert!(seen.has(&["Untagged", "\"A003\"", "Recent(2)"]));
    assert!(seen.has(&["Completed", "\"A003\"", "SELECT", "ReadWrite"]));
    assert!(seen.has(&["Fetch {", "\"A004\"", "seq: 1", "Rfc822", "Subject: one"]));
    assert!(seen.has(&["Fetch {", "\"A004\"", "seq: 2", "Recent"]));
    // The view: one message (the server reported one EXISTS), flags from the first FETCH.
    assert!(
        seen.view
            .contains("messages: [MessageView { uid: None, flags: Some([Seen])"),
        "{}",
        seen.view
    );
    let last = e.last().unwrap();
    assert!(
        last.starts_with("Closed { reason: Quit") && last.contains("logging out"),
        "{last}"
    );
    assert_eq!(e.iter().filter(|x| x.starts_with("Closed")).count(), 1);
}
