//! The `MAIL FROM:` / `RCPT TO:` tolerances of [`EnvelopeSyntax`], each in both settings:
//! in the command parser, and through the server state machine's `Config`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use proptest::prelude::*;
use smtp_proto::command::{Command, EnvelopeSyntax};
use smtp_proto::error::CommandError;
use smtp_proto::prelude::*;
use smtp_proto::server::{Config, Connection, Event};

fn postfix(line: &str) -> Result<Command, CommandError> {
    Command::parse_with(line.as_bytes(), EnvelopeSyntax::postfix())
}

fn strict(line: &str) -> Result<Command, CommandError> {
    Command::parse_with(line.as_bytes(), EnvelopeSyntax::strict())
}

/// The lines real clients send outside RFC 5321, each with the strict line that means the
/// same.
const TOLERATED: &[(&str, &str)] = &[
    // A space after the colon (old Outlook Express, many scripts).
    (
        "MAIL FROM: <alice@example.test>",
        "MAIL FROM:<alice@example.test>",
    ),
    ("RCPT TO: <bob@example.test>", "RCPT TO:<bob@example.test>"),
    (
        "mail from:   <> BODY=8BITMIME",
        "MAIL FROM:<> BODY=8BITMIME",
    ),
    // No angle brackets (accepted by Postfix, smtp-sink and aiosmtpd).
    (
        "MAIL FROM:alice@example.test SIZE=3518",
        "MAIL FROM:<alice@example.test> SIZE=3518",
    ),
    (
        "RCPT TO:bob@example.test NOTIFY=SUCCESS,FAILURE",
        "RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE",
    ),
    ("RCPT TO:postmaster", "RCPT TO:<Postmaster>"),
    (
        "MAIL FROM:\"john doe\"@example.test",
        "MAIL FROM:<\"john doe\"@example.test>",
    ),
    // Both at once.
    (
        "MAIL FROM: alice@example.test",
        "MAIL FROM:<alice@example.test>",
    ),
    ("rcpt to: bob@[192.0.2.1]", "RCPT TO:<bob@[192.0.2.1]>"),
];

#[test]
fn postfix_syntax_reads_what_the_strict_line_means() {
    for (loose, exact) in TOLERATED {
        let got = postfix(loose).unwrap_or_else(|e| panic!("{loose}: {e}"));
        assert_eq!(got, strict(exact).unwrap(), "{loose}");
        // Encoded strictly: brackets, no space.
        assert_eq!(
            Command::parse_with(
                &got.to_bytes()[..got.to_bytes().len() - 2],
                EnvelopeSyntax::strict()
            )
            .unwrap(),
            got,
            "{loose}"
        );
    }
    // `Command::parse` is the Postfix syntax; so is the default.
    assert_eq!(EnvelopeSyntax::default(), EnvelopeSyntax::postfix());
    for (loose, _) in TOLERATED {
        assert_eq!(Command::parse(loose.as_bytes()).ok(), postfix(loose).ok());
    }
}

#[test]
fn strict_syntax_refuses_both_and_says_where() {
    for (loose, exact) in TOLERATED {
        assert!(strict(loose).is_err(), "{loose}");
        assert!(strict(exact).is_ok(), "{exact}");
    }
    // The offset is the byte after the colon: the space, or the path's first letter.
    for line in ["MAIL FROM: <a@b.example>", "MAIL FROM:a@b.example"] {
        assert!(
            matches!(strict(line), Err(CommandError::Syntax { offset: 10, .. })),
            "{line}: {:?}",
            strict(line)
        );
    }
    assert!(matches!(
        strict("RCPT TO:postmaster"),
        Err(CommandError::Syntax { offset: 8, .. })
    ));
}

#[test]
fn each_tolerance_alone() {
    let space_only = EnvelopeSyntax::strict().with_space_after_colon(true);
    let brackets_only = EnvelopeSyntax::strict().with_missing_brackets(true);
    let parse = |line: &str, s| Command::parse_with(line.as_bytes(), s);
    assert!(parse("MAIL FROM: <a@b.example>", space_only).is_ok());
    assert!(parse("MAIL FROM:a@b.example", space_only).is_err());
    assert!(parse("MAIL FROM:a@b.example", brackets_only).is_ok());
    assert!(parse("MAIL FROM: <a@b.example>", brackets_only).is_err());
    assert!(parse("MAIL FROM: a@b.example", space_only).is_err());
    assert!(parse("MAIL FROM: a@b.example", brackets_only).is_err());
    assert_eq!(
        EnvelopeSyntax::strict()
            .with_space_after_colon(true)
            .with_missing_brackets(true),
        EnvelopeSyntax::postfix()
    );
}

#[test]
fn without_brackets_the_path_ends_where_the_mailbox_does() {
    // What follows the mailbox must be the parameters' SP or the end of the line.
    for line in [
        "MAIL FROM:a@b.example>",
        "MAIL FROM:a@b.example,c@d.example",
        "MAIL FROM:",
        "MAIL FROM: ",
        "RCPT TO:postmasterX",
        "RCPT TO:<a@b.example",
        "MAIL FROM:a@b.example SIZE=x",
    ] {
        assert!(postfix(line).is_err(), "{line}");
    }
    // The brackets count towards the 256-octet path limit (RFC 5321 §4.5.3.1.3) even when
    // they are left out: 254 octets without them is the most.
    let local = "a".repeat(64);
    let fits = format!("{local}@{}", domain_of_len(254 - 65));
    let over = format!("{local}@{}", domain_of_len(255 - 65));
    assert_eq!(fits.len(), 254);
    assert_eq!(over.len(), 255);
    assert!(postfix(&format!("MAIL FROM:{fits}")).is_ok());
    assert!(postfix(&format!("MAIL FROM:<{fits}>")).is_ok());
    assert!(postfix(&format!("MAIL FROM:{over}")).is_err());
    assert!(postfix(&format!("MAIL FROM:<{over}>")).is_err());
}

/// A domain of exactly `len` octets in labels of at most 63.
fn domain_of_len(len: usize) -> String {
    let mut labels = Vec::new();
    let mut left = len;
    while left > 0 {
        let take = left.min(63);
        // A label, and the dot before the next one.
        let take = if left > take {
            take.min(left - 2)
        } else {
            take
        };
        labels.push("d".repeat(take));
        left -= take;
        left = left.saturating_sub(1);
    }
    let d = labels.join(".");
    assert_eq!(d.len(), len);
    d
}

/// Feeds `lines` to a server with `syntax` and answers every event by accepting it.
/// Returns the MAIL and RCPT paths the application saw and the server's output.
fn serve(syntax: EnvelopeSyntax, lines: &[&str]) -> (Vec<String>, String) {
    let mut config = Config::default();
    config.envelope_syntax = syntax;
    let mut conn = Connection::new(config);
    let mut paths = Vec::new();
    let mut output = Vec::new();
    for line in lines {
        conn.receive(format!("{line}\r\n").as_bytes());
        while let Some(event) = conn.next_event() {
            match event {
                Event::Helo { .. } => {}
                Event::Mail { reverse_path, .. } => paths.push(reverse_path.to_string()),
                Event::Rcpt { forward_path, .. } => paths.push(forward_path.to_string()),
                other => panic!("unexpected {other:?}"),
            }
            conn.accept().unwrap();
        }
        output.extend_from_slice(&conn.take_output());
    }
    (paths, String::from_utf8(output).unwrap())
}

const SESSION: &[&str] = &[
    "EHLO client.example.test",
    "MAIL FROM: <alice@example.test>",
    "RSET",
    "MAIL FROM:alice@example.test",
    "RCPT TO: <bob@example.test>",
    "RCPT TO:carol@example.test",
    "RCPT TO:<dave@example.test>",
];

#[test]
fn server_with_postfix_syntax_hands_the_paths_to_the_application() {
    let (paths, output) = serve(EnvelopeSyntax::postfix(), SESSION);
    assert_eq!(
        paths,
        [
            "<alice@example.test>",
            "<alice@example.test>",
            "<bob@example.test>",
            "<carol@example.test>",
            "<dave@example.test>",
        ]
    );
    assert!(!output.contains("501"), "{output}");
}

#[test]
fn server_with_strict_syntax_answers_501_itself() {
    let (paths, output) = serve(EnvelopeSyntax::strict(), SESSION);
    // Only the RFC 5321 lines reach the application: the second MAIL is refused too, so
    // there is no transaction for the RCPTs but the last, which gets 503.
    assert!(paths.is_empty(), "{paths:?}");
    let codes: Vec<&str> = output
        .lines()
        .filter(|l| l.as_bytes().get(3) == Some(&b' '))
        .map(|l| &l[..3])
        .collect();
    assert_eq!(
        codes,
        ["220", "250", "501", "250", "501", "501", "501", "503"],
        "{output}"
    );
}

fn any_path() -> impl Strategy<Value = String> {
    (
        "[a-z][a-z0-9.+-]{0,12}",
        "[a-z][a-z0-9-]{0,10}\\.[a-z]{2,6}",
    )
        .prop_map(|(l, d)| format!("{}@{d}", l.trim_end_matches('.').replace("..", ".")))
}

proptest! {
    /// The tolerated forms read as the strict form, whatever the mailbox and parameters.
    #[test]
    fn loose_and_strict_forms_agree(path in any_path(), spaces in 0usize..3, size in 0u64..100_000) {
        let exact = format!("MAIL FROM:<{path}> SIZE={size}");
        let Ok(want) = strict(&exact) else { return Ok(()); };
        let gap = " ".repeat(spaces);
        prop_assert_eq!(postfix(&format!("MAIL FROM:{gap}<{path}> SIZE={size}")).unwrap(), want.clone());
        prop_assert_eq!(postfix(&format!("MAIL FROM:{gap}{path} SIZE={size}")).unwrap(), want.clone());
        let Command::Mail { reverse_path, .. } = want else { panic!() };
        prop_assert_eq!(reverse_path, ReversePath::parse(format!("<{path}>").as_bytes()).unwrap());
        let rcpt = postfix(&format!("RCPT TO:{gap}{path}")).unwrap();
        let Command::Rcpt { forward_path, .. } = rcpt else { panic!() };
        prop_assert_eq!(forward_path, ForwardPath::parse(format!("<{path}>").as_bytes()).unwrap());
    }
}
