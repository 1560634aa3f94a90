//! SORT and THREAD (RFC 5256) of `mail-server` against Dovecot: 36 generated messages
//! (replies with Message-ID/In-Reply-To/References, "Re:"/"Fwd:"/"[list]" subjects, encoded
//! words, missing and odd dates, several From/To/Cc) are appended to our server; Dovecot is
//! started on a copy of the Maildir (same UIDs); every SORT and THREAD command must get the
//! same answer from both.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

mod support;

use std::process::Command;

use support::{Client, Dovecot, MailServer, TempDir, have, run};

/// Subjects, picked in turn; replies get their own below.
const SUBJECTS: &[&str] = &[
    "Meeting agenda",
    "[list] Release plan",
    "=?utf-8?q?caf=C3=A9_menu?=",
    "Budget",
    "apple pie",
    "Zebra crossing",
    "",
    "[Fwd: Budget]",
    "Report (fwd)",
    "=?ISO-8859-1?Q?=C9t=E9?= plans",
    "Re: [list] Re: Weekly   sync (fwd)",
    "[blob only]",
    "[Fwd: Re: [list] Weekly sync]",
    "Fw:\tfolded\r\n\tsubject",
    "Re:",
];

/// Reply subject forms of a base subject.
const REPLY_FORMS: &[&str] = &[
    "Re: {}",
    "RE: [list] {}",
    "Fwd: {}",
    "Re[2]: {}",
    "re: Re: {}",
];

const PEOPLE: &[&str] = &[
    "Alice <alice@example.test>",
    "bob@example.org",
    "\"Carol C\" <Carol@example.net>",
    "dave@example.com",
    "=?utf-8?q?=C3=89mile?= <emile@example.fr>",
    "Zed <zed@example.test>",
    "undisclosed-recipients:;",
    "\"quoted local\"@example.org",
];

/// Dates: distinct zones, one without a time zone's usual form, and gaps (no Date:).
fn date(i: usize) -> Option<String> {
    let zones = ["+0000", "-0800", "+0530", "GMT", "-0000", "EST"];
    match i % 7 {
        3 => None,
        5 if i > 20 => Some("not a date".into()),
        _ => Some(format!(
            "Mon, {} Mar 2021 {:02}:{:02}:00 {}",
            1 + (i * 5) % 27,
            (i * 7) % 24,
            (i * 13) % 60,
            zones[i % zones.len()]
        )),
    }
}

/// The generated messages, in append order.
fn messages() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..36usize {
        let mut head = String::new();
        head.push_str(&format!("From: {}\r\n", PEOPLE[i % PEOPLE.len()]));
        if i % 4 != 2 {
            head.push_str(&format!("To: {}\r\n", PEOPLE[(i * 3 + 1) % PEOPLE.len()]));
        }
        if i % 3 == 0 {
            head.push_str(&format!(
                "Cc: {}, {}\r\n",
                PEOPLE[(i + 2) % PEOPLE.len()],
                PEOPLE[(i + 4) % PEOPLE.len()]
            ));
        }
        // Threads: message i replies to an earlier one for some i.
        let base = SUBJECTS[i % SUBJECTS.len()];
        let subject = if i >= 10 && i % 3 != 0 {
            let parent = i - 1 - (i % 10) / 2;
            let form = REPLY_FORMS[i % REPLY_FORMS.len()];
            let parent_base = SUBJECTS[parent % SUBJECTS.len()];
            if i % 4 == 0 {
                head.push_str(&format!("In-Reply-To: <m{parent}@example.test>\r\n"));
            } else if i % 4 == 1 {
                // A References chain, one of them missing from the mailbox.
                head.push_str(&format!(
                    "References: <m{}@example.test> <gone{i}@example.test>\r\n\t<m{parent}@example.test>\r\n",
                    parent % 10
                ));
            } else if i % 4 == 2 {
                // A reply to a message that is not in the mailbox.
                head.push_str("References: <\"nowhere\"@example.test>\r\n");
            }
            form.replace("{}", parent_base)
        } else {
            base.to_owned()
        };
        if i != 6 {
            head.push_str(&format!("Subject: {subject}\r\n"));
        }
        if let Some(d) = date(i) {
            head.push_str(&format!("Date: {d}\r\n"));
        }
        match i {
            // No Message-ID; a duplicate of message 1's.
            17 => {}
            23 => head.push_str("Message-ID: <m1@example.test>\r\n"),
            _ => head.push_str(&format!("Message-ID: <m{i}@example.test>\r\n")),
        }
        let body = "x".repeat((i * 37) % 200);
        out.push(format!("{head}\r\n{body}\r\n").into_bytes());
    }
    out
}

/// Appends `message` with an INTERNALDATE (some equal, to test the tie-break).
fn append(c: &mut Client, tag: &str, i: usize, message: &[u8]) {
    let day = 1 + (i * 11) % 20;
    c.write(
        format!(
            "{tag} APPEND INBOX \"{day:02}-Apr-2021 10:00:00 +0000\" {{{}}}\r\n",
            message.len()
        )
        .as_bytes(),
    );
    let go = c.line();
    assert!(go.starts_with('+'), "{go}");
    c.write(message);
    c.write(b"\r\n");
    let (_, done) = c.command_rest(tag);
    assert!(done.starts_with(&format!("{tag} OK")), "{done}");
}

/// The commands sent to both servers.
const COMMANDS: &[&str] = &[
    "SORT (ARRIVAL) UTF-8 ALL",
    "SORT (REVERSE ARRIVAL) UTF-8 ALL",
    "SORT (CC) UTF-8 ALL",
    "SORT (DATE) UTF-8 ALL",
    "SORT (REVERSE DATE) UTF-8 ALL",
    "SORT (FROM) UTF-8 ALL",
    "SORT (SIZE) UTF-8 ALL",
    "SORT (REVERSE SIZE) UTF-8 ALL",
    "SORT (SUBJECT) UTF-8 ALL",
    "SORT (REVERSE SUBJECT) UTF-8 ALL",
    "SORT (TO) UTF-8 ALL",
    "SORT (SUBJECT DATE) UTF-8 ALL",
    "SORT (REVERSE SUBJECT REVERSE DATE) UTF-8 ALL",
    "SORT (FROM REVERSE ARRIVAL) UTF-8 ALL",
    "SORT (TO CC SIZE) US-ASCII ALL",
    "SORT (DATE) UTF-8 SUBJECT budget",
    "SORT (SUBJECT) UTF-8 2:20",
    "SORT (ARRIVAL) UTF-8 NOT FROM alice",
    "UID SORT (REVERSE SUBJECT) UTF-8 ALL",
    "UID SORT (DATE) UTF-8 UID 5:25",
    "THREAD ORDEREDSUBJECT UTF-8 ALL",
    "THREAD REFERENCES UTF-8 ALL",
    "UID THREAD REFERENCES UTF-8 ALL",
    "UID THREAD ORDEREDSUBJECT UTF-8 ALL",
    "THREAD REFERENCES UTF-8 NOT 11:14",
    "THREAD ORDEREDSUBJECT US-ASCII SUBJECT Re",
];

/// Commands refused, with the start of their tagged answer (the text after it is free).
const REFUSED: &[(&str, &str)] = &[
    ("SORT (DATE) X-NO-SUCH-CHARSET ALL", "NO [BADCHARSET"),
    ("THREAD NOSUCHALGORITHM UTF-8 ALL", "BAD"),
];

/// Sends every command of `COMMANDS` and returns each one's untagged SORT/THREAD line; checks
/// the answers to `REFUSED`.
fn answers(port: u16) -> Vec<String> {
    let mut c = Client::connect(port);
    c.ok("l", "LOGIN alice secret");
    c.ok("s", "SELECT INBOX");
    for (i, (cmd, answer)) in REFUSED.iter().enumerate() {
        let tag = format!("r{i}");
        let (_, done) = c.command(&tag, cmd);
        assert!(
            done.starts_with(&format!("{tag} {answer}")),
            "{cmd}: {done}"
        );
    }
    COMMANDS
        .iter()
        .enumerate()
        .map(|(i, cmd)| {
            let lines = c.ok(&format!("c{i}"), cmd);
            let data: Vec<String> = lines
                .into_iter()
                .filter(|l| l.starts_with("* SORT") || l.starts_with("* THREAD"))
                .map(|l| l.trim_end().to_owned())
                .collect();
            assert_eq!(data.len(), 1, "{cmd}: {data:?}");
            format!("{cmd} => {}", data[0])
        })
        .collect()
}

#[test]
fn sort_and_thread_answer_as_dovecot() {
    if !have("dovecot") {
        return;
    }
    let server = MailServer::start(&["--allow-plaintext-auth"]);
    let mut c = Client::connect(server.imap);
    let caps = c.ok("a", "CAPABILITY");
    for cap in [" SORT", " THREAD=ORDEREDSUBJECT", " THREAD=REFERENCES"] {
        assert!(caps[0].contains(cap), "{cap} not in {caps:?}");
    }
    c.ok("l", "LOGIN alice secret");
    for (i, m) in messages().iter().enumerate() {
        append(&mut c, &format!("p{i}"), i, m);
    }
    // An expunged message, so that sequence numbers and UIDs differ.
    c.ok("s", "SELECT INBOX");
    c.ok("d", "STORE 3 +FLAGS (\\Deleted)");
    c.ok("x", "EXPUNGE");
    c.ok("o", "LOGOUT");
    let ours = answers(server.imap);
    // Dovecot on its own copy of the Maildir (with our dovecot-uidlist: the same UIDs).
    let dir = TempDir::new("dovecot-sort");
    let mail = dir.path().join("mail");
    std::fs::create_dir_all(&mail).unwrap();
    let (ok, _, err) = run(
        Command::new("cp")
            .arg("-a")
            .arg(server.maildir("alice"))
            .arg(mail.join("alice")),
        b"",
    );
    assert!(ok, "{err}");
    let dovecot = Dovecot::start(dir.path(), "imap", &mail, &[("alice", "secret")]);
    let theirs = answers(dovecot.port);
    let mut differ = Vec::new();
    for (o, t) in ours.iter().zip(&theirs) {
        if o != t {
            differ.push(format!("ours:   {o}\ntheirs: {t}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{}\n{}",
        differ.join("\n"),
        dovecot.log()
    );
    // Not every answer is trivially equal: the sorts differ from the arrival order.
    let data = |i: usize| ours[i].split_once(" => ").unwrap().1.to_owned();
    assert_ne!(data(0), data(3));
    // THREAD answers sequence numbers, UID THREAD UIDs.
    assert_ne!(data(21), data(22));
}
