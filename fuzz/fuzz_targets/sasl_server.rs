//! Drives `mail_core::sasl::server::Authentication` with arbitrary client responses.
//!
//! Input layout: byte 0 picks the mechanism (the eight implemented ones, or an unknown
//! name); byte 1 picks how verification requests are answered and whether there is an
//! initial response; the rest is split on `0xFF` into responses. Responses go through the
//! base64 framing first when byte 1 says so, so that the framing decoder is fuzzed too.
//! The target asserts that nothing panics and that a finished exchange stays finished.
#![no_main]

use mail_core::Secret;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Authentication, ServerConfig, Step, Verification};
use mail_core::sasl::{
    ClientResponse, Mechanism, Nonce, ResponseKind, decode_response, encode_challenge,
};

fn answer(selector: u8, verification: &Verification) -> Answer {
    match (selector % 7, verification) {
        (0, _) => Answer::Accept,
        (1, _) => Answer::Reject,
        (2, _) => Answer::Password(Secret::new("pencil".into())),
        (3, _) => Answer::RejectWithError(br#"{"status":"invalid_token"}"#.to_vec()),
        // A deliberately tiny iteration count: fuzzing wants speed, not security.
        (4, _) => ScramCredentials::derive("pencil", b"salt", 1)
            .map_or(Answer::Reject, Answer::ScramCredentials),
        // The answer that fits the verification, so deep states are reached.
        (_, Verification::CramMd5 { .. }) => Answer::Password(Secret::new("pencil".into())),
        (_, Verification::Scram { .. }) => ScramCredentials::derive("pencil", b"salt", 1)
            .map_or(Answer::Reject, Answer::ScramCredentials),
        (5, Verification::Bearer { .. }) => Answer::RejectWithError(b"{}".to_vec()),
        _ => Answer::Accept,
    }
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mechanism, rest)) = data.split_first() else {
        return;
    };
    let Some((&mode, rest)) = rest.split_first() else {
        return;
    };
    let mechanism = Mechanism::IMPLEMENTED
        .get(usize::from(mechanism) % 9)
        .cloned()
        .unwrap_or_else(|| "GSSAPI".parse().expect("valid mechanism name"));
    let framed = mode & 0x10 != 0;
    let mut config = ServerConfig::default();
    config.max_response_len = 512;
    config.success_data = mode & 0x20 != 0;
    config.channel_binding_advertised = mode & 0x40 != 0;
    let nonce: Nonce = "fuzz%nonce$".parse().expect("valid nonce");

    let mut responses = rest.split(|&b| b == 0xFF);
    let initial = if mode & 0x80 != 0 {
        responses.next()
    } else {
        None
    };
    let decode = |line: &[u8], kind| -> Option<Vec<u8>> {
        if !framed {
            return Some(line.to_vec());
        }
        match decode_response(line, kind, 512) {
            Ok(ClientResponse::Data(d)) => Some(d.into_inner()),
            Ok(ClientResponse::Cancel) | Err(_) => None,
        }
    };
    let initial = match initial {
        Some(line) => match decode(line, ResponseKind::Initial) {
            Some(d) => Some(d),
            None => return,
        },
        None => None,
    };
    let (mut auth, mut step) =
        Authentication::start(mechanism, initial.as_deref(), &config, &nonce);
    for (round, response) in responses.enumerate() {
        if round > 16 {
            break;
        }
        step = match step {
            Step::Verify(v) => match auth.answer(answer(mode.wrapping_add(round as u8), &v)) {
                Ok(next) => next,
                Err(_) => auth.step(response),
            },
            Step::Challenge(challenge) => {
                let mut line = Vec::new();
                encode_challenge(&challenge, &mut line);
                match decode(response, ResponseKind::Continuation) {
                    Some(d) => auth.step(&d),
                    None => auth.cancel(),
                }
            }
            Step::Success(_) | Step::Failure(_) => {
                assert!(auth.is_finished());
                assert!(matches!(auth.step(response), Step::Failure(_)));
                break;
            }
            _ => break,
        };
    }
});
