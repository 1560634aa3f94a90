//! Each example's `--help` says what that program does, not the package's description.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

mod support;

fn help(name: &str) -> String {
    let path = support::example(name);
    let out = Command::new(&path)
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_example_describes_itself() {
    let package = env!("CARGO_PKG_DESCRIPTION");
    for (name, says) in [
        ("mail-server", "A Maildir-backed mail server"),
        ("pop3-fetch", "Downloads every message of a POP3 maildrop"),
        (
            "imap-fetch",
            "Downloads the new messages of an IMAP mailbox",
        ),
        ("smtp-send", "Sends the message read from standard input"),
        ("smtp-sink", "Accepts and discards every message"),
    ] {
        let text = help(name);
        assert!(text.starts_with(says), "{name}: {text}");
        assert!(
            !text.contains(package),
            "{name} prints the package description"
        );
    }
}
