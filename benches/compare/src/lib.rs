//! Inputs shared by the comparison benches: realistic SMTP sessions.

/// Returns a realistic client command stream: `sessions` repetitions of EHLO, MAIL with
/// parameters, three RCPTs, DATA, RSET and QUIT, each line CRLF-terminated.
pub fn command_mix(sessions: usize) -> Vec<u8> {
    let one: &[u8] = b"EHLO client.example.org\r\n\
MAIL FROM:<sender.name@client.example.org> SIZE=48213 BODY=8BITMIME\r\n\
RCPT TO:<alice@mx.example.com>\r\n\
RCPT TO:<bob.smith@mx.example.com> NOTIFY=SUCCESS,FAILURE\r\n\
RCPT TO:<carol+tag@mx.example.com>\r\n\
DATA\r\n\
RSET\r\n\
QUIT\r\n";
    one.repeat(sessions)
}

/// The number of commands in one repetition of [`command_mix`].
pub const COMMANDS_PER_SESSION: usize = 8;

/// Returns a realistic EHLO reply, as Postfix sends it.
pub fn ehlo_reply() -> Vec<u8> {
    b"250-mx.example.com\r\n\
250-PIPELINING\r\n\
250-SIZE 52428800\r\n\
250-VRFY\r\n\
250-ETRN\r\n\
250-STARTTLS\r\n\
250-AUTH PLAIN LOGIN SCRAM-SHA-256\r\n\
250-ENHANCEDSTATUSCODES\r\n\
250-8BITMIME\r\n\
250-DSN\r\n\
250-SMTPUTF8\r\n\
250 CHUNKING\r\n"
        .to_vec()
}
