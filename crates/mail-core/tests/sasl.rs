#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! SASL: RFC examples verbatim, every mechanism's client against every server, limits,
//! hostile input, and no-panic properties.

use mail_core::Secret;
use mail_core::sasl::client::{self, Credentials};
use mail_core::sasl::scram::{ScramCredentials, ScramError, escape_saslname, unescape_saslname};
use mail_core::sasl::server::{
    self, Answer, AnswerError, Failure, Outcome, ServerConfig, Step, Verification,
};
use mail_core::sasl::{
    ClientResponse, FramingError, Mechanism, Nonce, ResponseKind, decode_challenge,
    decode_response, encode_challenge, encode_response,
};
use proptest::prelude::*;

fn nonce(s: &str) -> Nonce {
    s.parse().unwrap()
}

fn b64(data: &[u8]) -> String {
    let mut out = Vec::new();
    encode_challenge(data, &mut out);
    String::from_utf8(out).unwrap()
}

fn unb64(line: &str) -> Vec<u8> {
    decode_challenge(line.as_bytes(), 1 << 20).unwrap()
}

fn start(mechanism: Mechanism, ir: Option<&[u8]>) -> (server::Authentication, Step) {
    server::Authentication::start(mechanism, ir, &ServerConfig::default(), &nonce("srvnonce"))
}

fn challenge(step: Step) -> Vec<u8> {
    match step {
        Step::Challenge(c) => c,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

fn verification(step: Step) -> Verification {
    match step {
        Step::Verify(v) => v,
        other => panic!("expected a verification, got {other:?}"),
    }
}

fn success(step: Step) -> Outcome {
    match step {
        Step::Success(o) => o,
        other => panic!("expected success, got {other:?}"),
    }
}

fn failure(step: Step) -> Failure {
    match step {
        Step::Failure(f) => f,
        other => panic!("expected failure, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Mechanism names
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_mechanism_names_are_preserved_upper_case() {
    let m: Mechanism = "x-oauth_9".parse().unwrap();
    assert!(matches!(m, Mechanism::Other(_)));
    assert_eq!(m.to_string(), "X-OAUTH_9");
    assert!(!m.is_implemented());
    let plus: Mechanism = "SCRAM-SHA-256-PLUS".parse().unwrap();
    assert!(matches!(plus, Mechanism::Other(_)));
}

#[test]
fn mechanism_names_display_canonically() {
    let names: Vec<String> = Mechanism::IMPLEMENTED
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        names,
        [
            "EXTERNAL",
            "SCRAM-SHA-256",
            "CRAM-MD5",
            "OAUTHBEARER",
            "XOAUTH2",
            "PLAIN",
            "LOGIN",
            "ANONYMOUS"
        ]
    );
    assert_eq!("Cram-Md5".parse::<Mechanism>().unwrap(), Mechanism::CramMd5);
}

#[test]
fn implemented_list_is_sorted_strongest_first() {
    let strengths: Vec<u8> = Mechanism::IMPLEMENTED
        .iter()
        .map(Mechanism::strength)
        .collect();
    let mut sorted = strengths.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(strengths, sorted);
}

#[test]
fn strongest_picks_by_rank_among_shared_mechanisms() {
    let offered: Vec<Mechanism> = [
        "LOGIN",
        "PLAIN",
        "XOAUTH2",
        "OAUTHBEARER",
        "CRAM-MD5",
        "GSSAPI",
    ]
    .iter()
    .map(|m| m.parse().unwrap())
    .collect();
    let all = Mechanism::IMPLEMENTED;
    assert_eq!(
        Mechanism::strongest(&offered, &all),
        Some(Mechanism::CramMd5)
    );
    assert_eq!(
        Mechanism::strongest(&offered, &[Mechanism::XOAuth2, Mechanism::OAuthBearer]),
        Some(Mechanism::OAuthBearer)
    );
    assert_eq!(
        Mechanism::strongest(&offered, &[Mechanism::Login, Mechanism::Plain]),
        Some(Mechanism::Plain)
    );
    assert_eq!(Mechanism::strongest(&offered, &[Mechanism::External]), None);
    assert_eq!(Mechanism::strongest([], &all), None);
}

#[test]
fn client_first_and_secret_exposure_properties() {
    assert!(!Mechanism::Login.is_client_first());
    assert!(!Mechanism::CramMd5.is_client_first());
    assert!(Mechanism::ScramSha256.is_client_first());
    assert!(Mechanism::Plain.exposes_secret());
    assert!(!Mechanism::ScramSha256.exposes_secret());
}

// ---------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------

#[test]
fn star_cancels_a_continuation() {
    assert_eq!(
        decode_response(b"*", ResponseKind::Continuation, 100),
        Ok(ClientResponse::Cancel)
    );
}

#[test]
fn star_is_not_an_initial_response() {
    assert_eq!(
        decode_response(b"*", ResponseKind::Initial, 100),
        Err(FramingError::InvalidBase64)
    );
}

#[test]
fn equals_is_an_empty_initial_response() {
    assert_eq!(
        decode_response(b"=", ResponseKind::Initial, 100),
        Ok(ClientResponse::Data(Secret::new(Vec::new())))
    );
    assert_eq!(
        decode_response(b"=", ResponseKind::Continuation, 100),
        Ok(ClientResponse::Data(Secret::new(Vec::new())))
    );
}

#[test]
fn empty_lines() {
    assert_eq!(
        decode_response(b"", ResponseKind::Initial, 100),
        Err(FramingError::EmptyInitialResponse)
    );
    assert_eq!(
        decode_response(b"", ResponseKind::Continuation, 100),
        Ok(ClientResponse::Data(Secret::new(Vec::new())))
    );
    assert_eq!(decode_challenge(b"", 100), Ok(Vec::new()));
}

#[test]
fn bad_base64_is_rejected() {
    for bad in [
        &b"AGdhcg"[..],  // missing padding
        b"AGd hcg==",    // space
        b"AGd\x00cg==",  // NUL
        b"AG=hcg==",     // padding in the middle
        b"QR==",         // non-zero pad bits
        b"AGdhcg==\r\n", // line ending is the caller's business
        b"AGdhcg-_",     // base64url alphabet
        b"===",
    ] {
        assert_eq!(
            decode_response(bad, ResponseKind::Continuation, 100),
            Err(FramingError::InvalidBase64),
            "{bad:?}"
        );
        assert_eq!(decode_challenge(bad, 100), Err(FramingError::InvalidBase64));
    }
}

#[test]
fn decoded_length_limit_is_exact() {
    let twelve = b64(&[7u8; 12]);
    assert_eq!(
        decode_response(twelve.as_bytes(), ResponseKind::Continuation, 12),
        Ok(ClientResponse::Data(Secret::new(vec![7u8; 12])))
    );
    assert_eq!(
        decode_response(twelve.as_bytes(), ResponseKind::Continuation, 11),
        Err(FramingError::TooLong { limit: 11 })
    );
    let eleven = b64(&[7u8; 11]);
    assert!(decode_response(eleven.as_bytes(), ResponseKind::Initial, 11).is_ok());
    assert_eq!(
        decode_challenge(eleven.as_bytes(), 10),
        Err(FramingError::TooLong { limit: 10 })
    );
}

#[test]
fn empty_responses_are_encoded_per_position() {
    let mut out = Vec::new();
    encode_response(b"", ResponseKind::Initial, &mut out);
    assert_eq!(out, b"=");
    out.clear();
    encode_response(b"", ResponseKind::Continuation, &mut out);
    assert_eq!(out, b"");
    encode_response(b"\0tim\0tanstaaftanstaaf", ResponseKind::Initial, &mut out);
    assert_eq!(out, b"AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    let mut out = b"334 ".to_vec();
    encode_challenge(b"", &mut out);
    assert_eq!(out, b"334 ");
}

// ---------------------------------------------------------------------------------------
// PLAIN (RFC 4616)
// ---------------------------------------------------------------------------------------

#[test]
fn rfc4616_section4_first_example() {
    // S: + ""    C: <NUL>tim<NUL>tanstaaftanstaaf    S: OK
    let (mut auth, step) = start(Mechanism::Plain, None);
    assert_eq!(challenge(step), b"");
    let v = verification(auth.step(b"\0tim\0tanstaaftanstaaf"));
    assert_eq!(
        v,
        Verification::Password {
            authorization_identity: None,
            authentication_identity: "tim".into(),
            password: Secret::new("tanstaaftanstaaf".into()),
        }
    );
    let outcome = success(auth.answer(Answer::Accept).unwrap());
    assert_eq!(outcome.authorization_identity, None);
    assert_eq!(outcome.authentication_identity.as_deref(), Some("tim"));
    assert!(auth.is_finished());
}

#[test]
fn rfc4616_section4_second_example_rejected_authzid() {
    // C: a002 AUTHENTICATE "PLAIN" {20+} Ursel<NUL>Kurt<NUL>xipj3plmq   S: NO
    let (mut auth, step) = start(Mechanism::Plain, Some(b"Ursel\0Kurt\0xipj3plmq"));
    let v = verification(step);
    assert_eq!(
        v,
        Verification::Password {
            authorization_identity: Some("Ursel".into()),
            authentication_identity: "Kurt".into(),
            password: Secret::new("xipj3plmq".into()),
        }
    );
    assert_eq!(
        failure(auth.answer(Answer::Reject).unwrap()),
        Failure::Rejected
    );
}

#[test]
fn plain_client_produces_rfc4616_messages() {
    let mut c = client::Authentication::new(
        Mechanism::Plain,
        Credentials::password("tim", "tanstaaftanstaaf"),
        &nonce("n"),
    )
    .unwrap();
    assert_eq!(
        c.initial_response().unwrap().expose(),
        b"\0tim\0tanstaaftanstaaf"
    );
    assert_eq!(c.initial_response(), None);
    let mut c = client::Authentication::new(
        Mechanism::Plain,
        Credentials::Password {
            authorization_identity: Some("Ursel".into()),
            username: "Kurt".into(),
            password: Secret::new("xipj3plmq".into()),
        },
        &nonce("n"),
    )
    .unwrap();
    // Without an initial response, the server's empty challenge asks for it.
    assert_eq!(c.step(b"").unwrap().expose(), b"Ursel\0Kurt\0xipj3plmq");
    assert_eq!(c.step(b""), Err(client::Error::UnexpectedChallenge));
}

#[test]
fn plain_malformed_messages_fail_with_a_reason() {
    for bad in [
        &b"tim"[..],
        b"\0tim",
        b"\0tim\0pass\0",
        b"a\0b\0c\0d",
        b"\0\0pass",
        b"\0tim\0",
        b"\0t\xffm\0pass",
        b"\xff\0tim\0pass",
        b"\0tim\0p\xc3",
        b"",
    ] {
        let (_, step) = start(Mechanism::Plain, Some(bad));
        assert!(matches!(failure(step), Failure::Malformed(_)), "{bad:?}");
    }
}

/// Runs the server side of a transcript: `initial` is the text after `AUTH <mech> `, if
/// any; `exchange` pairs each expected challenge line (after `334 ` / `+ `) with the client's
/// line; the server must then ask to verify, and is accepted.
fn server_transcript(
    mechanism: Mechanism,
    initial: Option<&str>,
    exchange: &[(&str, &str)],
) -> Verification {
    let ir = initial.map(|line| {
        match decode_response(line.as_bytes(), ResponseKind::Initial, 1024).unwrap() {
            ClientResponse::Data(d) => d.into_inner(),
            ClientResponse::Cancel => panic!("cancel as initial response"),
        }
    });
    let (mut auth, mut step) = start(mechanism, ir.as_deref());
    for (expected_challenge, client_line) in exchange {
        let mut line = Vec::new();
        encode_challenge(&challenge(step), &mut line);
        assert_eq!(String::from_utf8(line).unwrap(), *expected_challenge);
        step = match decode_response(client_line.as_bytes(), ResponseKind::Continuation, 1024)
            .unwrap()
        {
            ClientResponse::Data(d) => auth.step(d.expose()),
            ClientResponse::Cancel => auth.cancel(),
        };
    }
    let v = verification(step);
    success(auth.answer(Answer::Accept).unwrap());
    v
}

fn password_verification(authzid: Option<&str>, authcid: &str, password: &str) -> Verification {
    Verification::Password {
        authorization_identity: authzid.map(String::from),
        authentication_identity: authcid.into(),
        password: Secret::new(password.into()),
    }
}

#[test]
fn rfc4954_section4_plain_with_initial_response() {
    // C: AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=   S: 235 2.7.0 Authentication successful
    assert_eq!(
        server_transcript(Mechanism::Plain, Some("dGVzdAB0ZXN0ADEyMzQ="), &[]),
        password_verification(Some("test"), "test", "1234")
    );
    let mut c = client::Authentication::new(
        Mechanism::Plain,
        Credentials::Password {
            authorization_identity: Some("test".into()),
            username: "test".into(),
            password: Secret::new("1234".into()),
        },
        &nonce("n"),
    )
    .unwrap();
    let mut line = Vec::new();
    encode_response(
        c.initial_response().unwrap().expose(),
        ResponseKind::Initial,
        &mut line,
    );
    assert_eq!(line, b"dGVzdAB0ZXN0ADEyMzQ=");
}

#[test]
fn rfc4954_section4_plain_after_empty_334() {
    // C: AUTH PLAIN   S: 334   C: dGVzdAB0ZXN0ADEyMzQ=
    assert_eq!(
        server_transcript(Mechanism::Plain, None, &[("", "dGVzdAB0ZXN0ADEyMzQ=")]),
        password_verification(Some("test"), "test", "1234")
    );
}

#[test]
fn rfc5034_and_rfc4959_plain_with_and_without_initial_response() {
    let expected = password_verification(Some("test"), "test", "test");
    assert_eq!(
        server_transcript(Mechanism::Plain, Some("dGVzdAB0ZXN0AHRlc3Q="), &[]),
        expected
    );
    assert_eq!(
        server_transcript(Mechanism::Plain, None, &[("", "dGVzdAB0ZXN0AHRlc3Q=")]),
        expected
    );
}

#[test]
fn rfc4959_external_with_equals_and_with_empty_line() {
    let expected = Verification::External {
        authorization_identity: None,
    };
    // C: A01 AUTHENTICATE EXTERNAL =
    assert_eq!(
        server_transcript(Mechanism::External, Some("="), &[]),
        expected
    );
    // C: A01 AUTHENTICATE EXTERNAL   S: +   C: (empty line)
    assert_eq!(
        server_transcript(Mechanism::External, None, &[("", "")]),
        expected
    );
}

#[test]
fn login_transcript_with_base64_prompts() {
    // S: 334 VXNlcm5hbWU6   C: dGlt   S: 334 UGFzc3dvcmQ6   C: dGFuc3RhYWY=
    assert_eq!(
        server_transcript(
            Mechanism::Login,
            None,
            &[("VXNlcm5hbWU6", "dGlt"), ("UGFzc3dvcmQ6", "dGFuc3RhYWY=")]
        ),
        password_verification(None, "tim", "tanstaaf")
    );
}

// ---------------------------------------------------------------------------------------
// LOGIN
// ---------------------------------------------------------------------------------------

#[test]
fn login_server_prompts_for_username_then_password() {
    let (mut auth, step) = start(Mechanism::Login, None);
    assert_eq!(b64(&challenge(step)), "VXNlcm5hbWU6");
    assert_eq!(challenge(auth.step(b"tim")), b"Password:");
    let v = verification(auth.step(b"tanstaaftanstaaf"));
    assert!(
        matches!(v, Verification::Password { ref authentication_identity, ref password, authorization_identity: None }
        if authentication_identity == "tim" && password.expose() == "tanstaaftanstaaf")
    );
    success(auth.answer(Answer::Accept).unwrap());
}

#[test]
fn login_initial_response_is_taken_as_the_username() {
    let (mut auth, step) = start(Mechanism::Login, Some(b"tim"));
    assert_eq!(challenge(step), b"Password:");
    assert!(matches!(
        verification(auth.step(b"pw")),
        Verification::Password { .. }
    ));
}

#[test]
fn login_empty_fields_fail() {
    let (mut auth, _) = start(Mechanism::Login, None);
    assert!(matches!(failure(auth.step(b"")), Failure::Malformed(_)));
    let (mut auth, _) = start(Mechanism::Login, None);
    auth.step(b"tim");
    assert!(matches!(failure(auth.step(b"")), Failure::Malformed(_)));
}

#[test]
fn login_client_answers_by_position() {
    let mut c = client::Authentication::new(
        Mechanism::Login,
        Credentials::password("tim", "secret"),
        &nonce("n"),
    )
    .unwrap();
    assert_eq!(c.initial_response(), None);
    assert_eq!(c.step(b"Username:").unwrap().expose(), b"tim");
    assert_eq!(c.step(b"Password:").unwrap().expose(), b"secret");
    assert!(c.step(b"Again:").is_err());
}

// ---------------------------------------------------------------------------------------
// CRAM-MD5 (RFC 2195)
// ---------------------------------------------------------------------------------------

fn rfc2195_server() -> (server::Authentication, Step) {
    let mut config = ServerConfig::default();
    config.hostname = "postoffice.reston.mci.net".into();
    server::Authentication::start(Mechanism::CramMd5, None, &config, &nonce("1896.697170952"))
}

#[test]
fn rfc2195_section2_server() {
    let (mut auth, step) = rfc2195_server();
    let ch = challenge(step);
    assert_eq!(ch, b"<1896.697170952@postoffice.reston.mci.net>");
    assert_eq!(
        b64(&ch),
        "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
    );
    let response = unb64("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
    assert_eq!(response, b"tim b913a602c7eda7a495b4e6e7334d3890");
    assert_eq!(
        verification(auth.step(&response)),
        Verification::CramMd5 {
            username: "tim".into()
        }
    );
    let outcome = success(
        auth.answer(Answer::Password(Secret::new("tanstaaftanstaaf".into())))
            .unwrap(),
    );
    assert_eq!(outcome.authentication_identity.as_deref(), Some("tim"));
}

#[test]
fn rfc2195_section2_client() {
    let mut c = client::Authentication::new(
        Mechanism::CramMd5,
        Credentials::password("tim", "tanstaaftanstaaf"),
        &nonce("n"),
    )
    .unwrap();
    assert_eq!(c.initial_response(), None);
    let response = c
        .step(&unb64(
            "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
        ))
        .unwrap();
    assert_eq!(
        b64(response.expose()),
        "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
    );
}

#[test]
fn cram_md5_wrong_password_is_an_invalid_proof() {
    let (mut auth, _) = rfc2195_server();
    auth.step(b"tim b913a602c7eda7a495b4e6e7334d3890");
    assert_eq!(
        failure(
            auth.answer(Answer::Password(Secret::new("wrong".into())))
                .unwrap()
        ),
        Failure::InvalidProof
    );
}

#[test]
fn cram_md5_accepts_upper_case_hex() {
    let (mut auth, _) = rfc2195_server();
    auth.step(b"tim B913A602C7EDA7A495B4E6E7334D3890");
    success(
        auth.answer(Answer::Password(Secret::new("tanstaaftanstaaf".into())))
            .unwrap(),
    );
}

#[test]
fn cram_md5_refuses_an_initial_response() {
    let (_, step) = start(Mechanism::CramMd5, Some(b"tim"));
    assert_eq!(failure(step), Failure::InitialResponseNotAllowed);
    let (_, step) = start(Mechanism::CramMd5, Some(b""));
    assert_eq!(failure(step), Failure::InitialResponseNotAllowed);
}

#[test]
fn cram_md5_malformed_responses() {
    for bad in [
        &b"timb913a602c7eda7a495b4e6e7334d3890"[..],
        b"tim b913a602c7eda7a495b4e6e7334d389",
        b"tim b913a602c7eda7a495b4e6e7334d38900",
        b"tim g913a602c7eda7a495b4e6e7334d3890",
        b" b913a602c7eda7a495b4e6e7334d3890",
        b"",
    ] {
        let (mut auth, _) = rfc2195_server();
        assert!(
            matches!(failure(auth.step(bad)), Failure::Malformed(_)),
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// SCRAM-SHA-256 (RFC 7677 §3)
// ---------------------------------------------------------------------------------------

const CLIENT_FIRST: &str = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST: &str =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL: &str = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

fn rfc7677_credentials() -> ScramCredentials {
    ScramCredentials::derive("pencil", &unb64("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096).unwrap()
}

fn rfc7677_client(password: &str) -> client::Authentication {
    client::Authentication::new(
        Mechanism::ScramSha256,
        Credentials::password("user", password),
        &nonce("rOprNGfwEbeRWgbNEkqO"),
    )
    .unwrap()
}

fn rfc7677_server(config: &ServerConfig) -> (server::Authentication, Step) {
    server::Authentication::start(
        Mechanism::ScramSha256,
        Some(CLIENT_FIRST.as_bytes()),
        config,
        &nonce("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"),
    )
}

#[test]
fn rfc7677_client_produces_the_rfc_messages() {
    let mut c = rfc7677_client("pencil");
    assert_eq!(
        c.initial_response().unwrap().expose(),
        CLIENT_FIRST.as_bytes()
    );
    assert_eq!(
        c.step(SERVER_FIRST.as_bytes()).unwrap().expose(),
        CLIENT_FINAL.as_bytes()
    );
    assert_eq!(c.step(SERVER_FINAL.as_bytes()).unwrap().expose(), b"");
    assert_eq!(c.finish(None), Ok(()));
}

#[test]
fn rfc7677_server_produces_the_rfc_messages() {
    let (mut auth, step) = rfc7677_server(&ServerConfig::default());
    assert_eq!(
        verification(step),
        Verification::Scram {
            authorization_identity: None,
            username: "user".into()
        }
    );
    let first = challenge(
        auth.answer(Answer::ScramCredentials(rfc7677_credentials()))
            .unwrap(),
    );
    assert_eq!(first, SERVER_FIRST.as_bytes());
    let last = challenge(auth.step(CLIENT_FINAL.as_bytes()));
    assert_eq!(last, SERVER_FINAL.as_bytes());
    let outcome = success(auth.step(b""));
    assert_eq!(outcome.authentication_identity.as_deref(), Some("user"));
    assert_eq!(outcome.additional_data, None);
}

#[test]
fn rfc7677_server_with_success_data_returns_v_in_the_outcome() {
    let mut config = ServerConfig::default();
    config.success_data = true;
    let (mut auth, _) = rfc7677_server(&config);
    auth.answer(Answer::ScramCredentials(rfc7677_credentials()))
        .unwrap();
    let outcome = success(auth.step(CLIENT_FINAL.as_bytes()));
    assert_eq!(
        outcome.additional_data.as_deref(),
        Some(SERVER_FINAL.as_bytes())
    );
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    c.step(SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(c.finish(outcome.additional_data.as_deref()), Ok(()));
}

#[test]
fn rfc7677_stored_credentials_can_be_rebuilt_from_their_parts() {
    let derived = rfc7677_credentials();
    let rebuilt = ScramCredentials::new(
        derived.salt().to_vec(),
        derived.iterations(),
        *derived.stored_key().expose(),
        *derived.server_key().expose(),
    )
    .unwrap();
    assert_eq!(rebuilt, derived);
    assert_eq!(derived.iterations(), 4096);
}

#[test]
fn scram_credentials_validate_their_parameters() {
    assert_eq!(
        ScramCredentials::derive("p", b"", 4096),
        Err(ScramError::EmptySalt)
    );
    assert_eq!(
        ScramCredentials::derive("p", b"s", 0),
        Err(ScramError::ZeroIterations)
    );
    assert!(matches!(
        ScramCredentials::derive("p\u{7}", b"s", 1),
        Err(ScramError::SaslPrep(_))
    ));
    assert_eq!(
        ScramCredentials::new(vec![], 1, [0; 32], [0; 32]),
        Err(ScramError::EmptySalt)
    );
}

#[test]
fn scram_client_detects_a_server_signature_mismatch() {
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    c.step(SERVER_FIRST.as_bytes()).unwrap();
    let forged = format!("v={}", b64(&[0u8; 32]));
    assert_eq!(
        c.step(forged.as_bytes()),
        Err(client::Error::ServerSignatureMismatch)
    );
    // And the exchange cannot then be completed.
    assert_eq!(c.finish(None), Err(client::Error::ExchangeFailed));
}

#[test]
fn scram_client_detects_a_forged_signature_in_success_data() {
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    c.step(SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(
        c.finish(Some(format!("v={}", b64(&[1u8; 32])).as_bytes())),
        Err(client::Error::ServerSignatureMismatch)
    );
}

#[test]
fn scram_client_refuses_success_without_server_signature() {
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    c.step(SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(c.finish(None), Err(client::Error::ServerNotVerified));
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    assert_eq!(c.finish(None), Err(client::Error::ServerNotVerified));
}

#[test]
fn scram_server_rejects_a_wrong_proof() {
    let mut c = rfc7677_client("pencil-not");
    c.initial_response();
    let final_msg = c.step(SERVER_FIRST.as_bytes()).unwrap();
    let (mut auth, _) = rfc7677_server(&ServerConfig::default());
    auth.answer(Answer::ScramCredentials(rfc7677_credentials()))
        .unwrap();
    assert_eq!(
        failure(auth.step(final_msg.expose())),
        Failure::InvalidProof
    );
}

#[test]
fn scram_server_rejects_a_tampered_nonce_or_binding() {
    let (mut auth, _) = rfc7677_server(&ServerConfig::default());
    auth.answer(Answer::ScramCredentials(rfc7677_credentials()))
        .unwrap();
    let tampered = CLIENT_FINAL.replace("k0,p=", "k1,p=");
    assert!(matches!(
        failure(auth.step(tampered.as_bytes())),
        Failure::Malformed(_)
    ));

    let (mut auth, _) = rfc7677_server(&ServerConfig::default());
    auth.answer(Answer::ScramCredentials(rfc7677_credentials()))
        .unwrap();
    let tampered = CLIENT_FINAL.replace("c=biws", "c=eSws");
    assert_eq!(
        failure(auth.step(tampered.as_bytes())),
        Failure::ChannelBindingMismatch
    );
}

#[test]
fn scram_client_reports_server_errors() {
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    c.step(SERVER_FIRST.as_bytes()).unwrap();
    assert_eq!(
        c.step(b"e=invalid-proof"),
        Err(client::Error::ServerError("invalid-proof".into()))
    );
}

#[test]
fn scram_client_enforces_iteration_limits() {
    let low = SERVER_FIRST.replace("i=4096", "i=4095");
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    assert_eq!(
        c.step(low.as_bytes()),
        Err(client::Error::IterationCountTooLow {
            iterations: 4095,
            minimum: 4096
        })
    );
    let high = SERVER_FIRST.replace("i=4096", "i=5000");
    let mut c = rfc7677_client("pencil").with_max_iterations(4999);
    c.initial_response();
    assert_eq!(
        c.step(high.as_bytes()),
        Err(client::Error::IterationCountTooHigh {
            iterations: 5000,
            maximum: 4999
        })
    );
    for bad in ["i=0", "i=04096", "i=-1", "i=", "i=99999999999"] {
        let mut c = rfc7677_client("pencil");
        c.initial_response();
        let msg = SERVER_FIRST.replace("i=4096", bad);
        assert!(
            matches!(
                c.step(msg.as_bytes()),
                Err(client::Error::MalformedChallenge(_))
            ),
            "{bad}"
        );
    }
}

#[test]
fn scram_client_checks_the_nonce() {
    for bad in [
        "r=XXXXNGfwEbeRWgbNEkqO%hvY,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    ] {
        let mut c = rfc7677_client("pencil");
        c.initial_response();
        assert_eq!(c.step(bad.as_bytes()), Err(client::Error::NonceMismatch));
    }
    let mut c = rfc7677_client("pencil");
    c.initial_response();
    assert!(matches!(
        c.step(format!("m=ext,{SERVER_FIRST}").as_bytes()),
        Err(client::Error::MalformedChallenge(_))
    ));
}

#[test]
fn scram_channel_binding_flags() {
    let start_with = |msg: &str, advertised: bool| {
        let mut config = ServerConfig::default();
        config.channel_binding_advertised = advertised;
        server::Authentication::start(
            Mechanism::ScramSha256,
            Some(msg.as_bytes()),
            &config,
            &nonce("s"),
        )
        .1
    };
    assert_eq!(
        failure(start_with("p=tls-unique,,n=user,r=abc", false)),
        Failure::ChannelBindingNotSupported
    );
    assert!(matches!(
        start_with("y,,n=user,r=abc", false),
        Step::Verify(_)
    ));
    assert_eq!(
        failure(start_with("y,,n=user,r=abc", true)),
        Failure::ChannelBindingDowngrade
    );
    assert_eq!(
        failure(start_with("n,,m=x,n=user,r=abc", false)),
        Failure::ExtensionsNotSupported
    );
    assert_eq!(
        failure(start_with("n,,n=u=sr,r=abc", false)),
        Failure::InvalidUsernameEncoding
    );
    assert_eq!(
        failure(start_with("n,,n=\u{7},r=abc", false)),
        Failure::InvalidUsernameEncoding
    );
}

#[test]
fn scram_y_flag_completes_with_matching_channel_binding() {
    // c= must carry the exact gs2-header, here "y,,".
    let creds = rfc7677_credentials();
    let (mut auth, _) = server::Authentication::start(
        Mechanism::ScramSha256,
        Some(b"y,,n=user,r=abc"),
        &ServerConfig::default(),
        &nonce("def"),
    );
    auth.answer(Answer::ScramCredentials(creds)).unwrap();
    assert_eq!(
        failure(auth.step(format!("c=biws,r=abcdef,p={}", b64(&[0; 32])).as_bytes())),
        Failure::ChannelBindingMismatch
    );
}

#[test]
fn scram_authzid_and_escaped_username_reach_the_application() {
    let stored = ScramCredentials::derive("pw", b"salt", 4096).unwrap();
    let mut c = client::Authentication::new(
        Mechanism::ScramSha256,
        Credentials::Password {
            authorization_identity: Some("ad,min".into()),
            username: "us=er".into(),
            password: Secret::new("pw".into()),
        },
        &nonce("cnonce"),
    )
    .unwrap();
    let first = c.initial_response().unwrap();
    assert_eq!(first.expose(), b"n,a=ad=2Cmin,n=us=3Der,r=cnonce");
    let (mut auth, step) = server::Authentication::start(
        Mechanism::ScramSha256,
        Some(first.expose()),
        &ServerConfig::default(),
        &nonce("snonce"),
    );
    assert_eq!(
        verification(step),
        Verification::Scram {
            authorization_identity: Some("ad,min".into()),
            username: "us=er".into()
        }
    );
    let sf = challenge(auth.answer(Answer::ScramCredentials(stored)).unwrap());
    let cf = c.step(&sf).unwrap();
    let v = challenge(auth.step(cf.expose()));
    c.step(&v).unwrap();
    let outcome = success(auth.step(b""));
    assert_eq!(outcome.authorization_identity.as_deref(), Some("ad,min"));
    assert_eq!(outcome.authentication_identity.as_deref(), Some("us=er"));
    c.finish(None).unwrap();
}

#[test]
fn scram_acknowledgement_must_be_empty() {
    let (mut auth, _) = rfc7677_server(&ServerConfig::default());
    auth.answer(Answer::ScramCredentials(rfc7677_credentials()))
        .unwrap();
    auth.step(CLIENT_FINAL.as_bytes());
    assert!(matches!(failure(auth.step(b"x")), Failure::Malformed(_)));
}

#[test]
fn saslname_escaping() {
    assert_eq!(escape_saslname("a=b,c"), "a=3Db=2Cc");
    assert_eq!(unescape_saslname("a=3Db=2Cc").as_deref(), Some("a=b,c"));
    assert_eq!(unescape_saslname("a=3db"), None);
    assert_eq!(unescape_saslname("a="), None);
}

#[test]
fn scram_client_saslpreps_credentials() {
    let c = client::Authentication::new(
        Mechanism::ScramSha256,
        Credentials::password("us\u{AD}er", "pen\u{A0}cil"),
        &nonce("n"),
    );
    let mut c = c.unwrap();
    assert_eq!(c.initial_response().unwrap().expose(), b"n,,n=user,r=n");
    assert!(matches!(
        client::Authentication::new(
            Mechanism::ScramSha256,
            Credentials::password("user", "bad\u{7}"),
            &nonce("n")
        ),
        Err(client::Error::SaslPrep(_))
    ));
    assert!(matches!(
        client::Authentication::new(
            Mechanism::ScramSha256,
            Credentials::password("\u{AD}", "pw"),
            &nonce("n")
        ),
        Err(client::Error::SaslPrep(_))
    ));
}

// ---------------------------------------------------------------------------------------
// OAUTHBEARER (RFC 7628 §4) and XOAUTH2
// ---------------------------------------------------------------------------------------

const RFC7628_41_IMAP: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
const RFC7628_43_IR: &str =
    "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9AQE=";
const RFC7628_43_ERROR: &str = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";

#[test]
fn rfc7628_section4_1_successful_bearer_token_exchange() {
    let ir = match decode_response(RFC7628_41_IMAP.as_bytes(), ResponseKind::Initial, 4096).unwrap()
    {
        ClientResponse::Data(d) => d.into_inner(),
        ClientResponse::Cancel => panic!(),
    };
    let (mut auth, step) = start(Mechanism::OAuthBearer, Some(&ir));
    assert_eq!(
        verification(step),
        Verification::Bearer {
            user: Some("user@example.com".into()),
            token: Secret::new("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".into()),
            host: Some("server.example.com".into()),
            port: Some(143),
        }
    );
    let outcome = success(auth.answer(Answer::Accept).unwrap());
    assert_eq!(
        outcome.authorization_identity.as_deref(),
        Some("user@example.com")
    );
}

#[test]
fn rfc7628_section4_1_client_produces_the_rfc_initial_response() {
    let mut c = client::Authentication::new(
        Mechanism::OAuthBearer,
        Credentials::Bearer {
            user: "user@example.com".into(),
            token: Secret::new("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==".into()),
            host: Some("server.example.com".into()),
            port: Some(143),
        },
        &nonce("n"),
    )
    .unwrap();
    let mut line = Vec::new();
    encode_response(
        c.initial_response().unwrap().expose(),
        ResponseKind::Initial,
        &mut line,
    );
    assert_eq!(line, RFC7628_41_IMAP.as_bytes());
}

#[test]
fn rfc7628_section4_3_failed_exchange() {
    let (mut auth, step) = start(Mechanism::OAuthBearer, Some(&unb64(RFC7628_43_IR)));
    let v = verification(step);
    assert!(
        matches!(v, Verification::Bearer { ref token, port: Some(143), .. } if token.expose().is_empty())
    );
    let json = unb64(RFC7628_43_ERROR);
    let ch = challenge(auth.answer(Answer::RejectWithError(json.clone())).unwrap());
    assert_eq!(b64(&ch), RFC7628_43_ERROR);
    // C: AQ==
    assert_eq!(failure(auth.step(&unb64("AQ=="))), Failure::Rejected);
    assert!(auth.is_finished());
}

#[test]
fn rfc7628_section4_3_failed_exchange_cancelled_with_star() {
    let (mut auth, _) = start(Mechanism::OAuthBearer, Some(&unb64(RFC7628_43_IR)));
    auth.answer(Answer::RejectWithError(unb64(RFC7628_43_ERROR)))
        .unwrap();
    assert_eq!(
        decode_response(b"*", ResponseKind::Continuation, 100),
        Ok(ClientResponse::Cancel)
    );
    assert_eq!(failure(auth.cancel()), Failure::Cancelled);
}

#[test]
fn rfc7628_section4_4_smtp_failed_negotiation() {
    let ir = unb64(
        "bix1c2VyPXNvbWV1c2VyQGV4YW1wbGUuY29tLAFhdXRoPUJlYXJlciB2RjlkZnQ0cW1UYzJOdmIzUmxja0JoZEhSaGRtbHpkR0V1WTI5dENnPT0BAQ==",
    );
    let (mut auth, step) = start(Mechanism::OAuthBearer, Some(&ir));
    // The example's `n,user=…,` gs2-header is tolerated; the user is not taken from it.
    assert!(matches!(
        verification(step),
        Verification::Bearer { user: None, .. }
    ));
    let json = unb64(
        "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NoZW1lcyI6ImJlYXJlciBtYWMiLCJzY29wZSI6Imh0dHBzOi8vbWFpbC5leGFtcGxlLmNvbS8ifQ==",
    );
    let ch = challenge(auth.answer(Answer::RejectWithError(json.clone())).unwrap());
    assert_eq!(ch, json);

    let mut c = client::Authentication::new(
        Mechanism::OAuthBearer,
        Credentials::bearer(
            "someuser@example.com",
            "vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg==",
        ),
        &nonce("n"),
    )
    .unwrap();
    c.initial_response();
    let dummy = c.step(&ch).unwrap();
    assert_eq!(b64(dummy.expose()), "AQ==");
    assert_eq!(c.server_error(), Some(json.as_slice()));
    assert_eq!(failure(auth.step(dummy.expose())), Failure::Rejected);
}

#[test]
fn oauthbearer_malformed_responses() {
    for bad in [
        &b"\x01"[..],
        b"n,,\x01\x01",
        b"n,,\x01auth=Bearer x\x01",
        b"n,,auth=Bearer x\x01\x01",
        b"p=tls-unique,,\x01auth=Bearer x\x01\x01",
        b"n,,\x01auth=Basic x\x01\x01",
        b"n,,\x01auth=Bearer \x01\x01",
        b"n,,\x01au th=Bearer x\x01\x01",
        b"n,,\x01auth=Bearer x\x00\x01\x01",
        b"n,,\x01port=0143\x01auth=Bearer x\x01\x01",
        b"n,,\x01port=99999\x01auth=Bearer x\x01\x01",
        b"n,a=bad=escape,\x01auth=Bearer x\x01\x01",
    ] {
        let (_, step) = start(Mechanism::OAuthBearer, Some(bad));
        assert!(matches!(failure(step), Failure::Malformed(_)), "{bad:?}");
    }
}

#[test]
fn oauthbearer_ignores_unknown_keys_and_accepts_any_case_scheme() {
    let (_, step) = start(
        Mechanism::OAuthBearer,
        Some(b"n,,\x01mthd=POST\x01auth=bEaReR tok\x01\x01"),
    );
    assert!(
        matches!(verification(step), Verification::Bearer { ref token, user: None, host: None, port: None } if token.expose() == "tok")
    );
}

#[test]
fn xoauth2_success() {
    let mut c = client::Authentication::new(
        Mechanism::XOAuth2,
        Credentials::bearer(
            "someuser@example.com",
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg",
        ),
        &nonce("n"),
    )
    .unwrap();
    let ir = c.initial_response().unwrap();
    assert_eq!(
        ir.expose(),
        b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
    );
    let (mut auth, step) = start(Mechanism::XOAuth2, Some(ir.expose()));
    assert!(
        matches!(verification(step), Verification::Bearer { ref user, .. } if user.as_deref() == Some("someuser@example.com"))
    );
    let outcome = success(auth.answer(Answer::Accept).unwrap());
    assert_eq!(
        outcome.authorization_identity.as_deref(),
        Some("someuser@example.com")
    );
    c.finish(None).unwrap();
}

#[test]
fn xoauth2_failure_with_json_then_empty_response() {
    let mut c = client::Authentication::new(
        Mechanism::XOAuth2,
        Credentials::bearer("u@example.com", "tok"),
        &nonce("n"),
    )
    .unwrap();
    let (mut auth, _) = start(
        Mechanism::XOAuth2,
        Some(c.initial_response().unwrap().expose()),
    );
    let json =
        br#"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#.to_vec();
    let ch = challenge(auth.answer(Answer::RejectWithError(json.clone())).unwrap());
    let dummy = c.step(&ch).unwrap();
    assert_eq!(dummy.expose(), b"");
    assert_eq!(c.server_error(), Some(json.as_slice()));
    assert_eq!(failure(auth.step(dummy.expose())), Failure::Rejected);
}

#[test]
fn xoauth2_needs_a_user_and_a_bearer_token() {
    for bad in [
        &b"auth=Bearer tok\x01\x01"[..],
        b"user=\x01auth=Bearer tok\x01\x01",
        b"user=u\x01\x01",
        b"user=u\x01auth=Bearer tok\x01",
    ] {
        let (_, step) = start(Mechanism::XOAuth2, Some(bad));
        assert!(matches!(failure(step), Failure::Malformed(_)), "{bad:?}");
    }
}

#[test]
fn bearer_client_rejects_control_characters() {
    for creds in [
        Credentials::bearer("u", "to\x01ken"),
        Credentials::bearer("u\x01", "token"),
        Credentials::bearer("u", ""),
    ] {
        assert!(matches!(
            client::Authentication::new(Mechanism::OAuthBearer, creds, &nonce("n")),
            Err(client::Error::InvalidCredentials(_))
        ));
    }
}

// ---------------------------------------------------------------------------------------
// EXTERNAL and ANONYMOUS
// ---------------------------------------------------------------------------------------

#[test]
fn external_with_empty_initial_response() {
    // RFC 4954 §4: "C: AUTH EXTERNAL =" — a zero-length initial response.
    let ir = match decode_response(b"=", ResponseKind::Initial, 100).unwrap() {
        ClientResponse::Data(d) => d.into_inner(),
        ClientResponse::Cancel => panic!(),
    };
    let (mut auth, step) = start(Mechanism::External, Some(&ir));
    assert_eq!(
        verification(step),
        Verification::External {
            authorization_identity: None
        }
    );
    let outcome = success(auth.answer(Answer::Accept).unwrap());
    assert_eq!(outcome.authorization_identity, None);
    assert_eq!(outcome.authentication_identity, None);
}

#[test]
fn external_with_authzid_and_client() {
    let mut c = client::Authentication::new(
        Mechanism::External,
        Credentials::External {
            authorization_identity: Some("fred@example.com".into()),
        },
        &nonce("n"),
    )
    .unwrap();
    let (mut auth, step) = start(Mechanism::External, None);
    let response = c.step(&challenge(step)).unwrap();
    assert_eq!(
        verification(auth.step(response.expose())),
        Verification::External {
            authorization_identity: Some("fred@example.com".into())
        }
    );
    assert_eq!(
        failure(auth.answer(Answer::Reject).unwrap()),
        Failure::Rejected
    );
    let (_, step) = start(Mechanism::External, Some(b"a\0b"));
    assert!(matches!(failure(step), Failure::Malformed(_)));
}

#[test]
fn anonymous_trace() {
    let (mut auth, step) = start(Mechanism::Anonymous, Some(b"sirhc"));
    assert_eq!(
        verification(step),
        Verification::Anonymous {
            trace: Some("sirhc".into())
        }
    );
    success(auth.answer(Answer::Accept).unwrap());
    let (_, step) = start(Mechanism::Anonymous, Some(b""));
    assert_eq!(verification(step), Verification::Anonymous { trace: None });
}

#[test]
fn anonymous_trace_limit_is_255_characters() {
    let at = "é".repeat(255);
    let (_, step) = start(Mechanism::Anonymous, Some(at.as_bytes()));
    assert!(matches!(step, Step::Verify(_)));
    let over = "é".repeat(256);
    let (_, step) = start(Mechanism::Anonymous, Some(over.as_bytes()));
    assert!(matches!(failure(step), Failure::Malformed(_)));
    let (_, step) = start(Mechanism::Anonymous, Some(b"a\nb"));
    assert!(matches!(failure(step), Failure::Malformed(_)));
    assert!(
        client::Authentication::new(
            Mechanism::Anonymous,
            Credentials::Anonymous { trace: Some(over) },
            &nonce("n")
        )
        .is_err()
    );
}

// ---------------------------------------------------------------------------------------
// Exchange-level rules
// ---------------------------------------------------------------------------------------

#[test]
fn unsupported_and_disabled_mechanisms_fail() {
    let gssapi: Mechanism = "GSSAPI".parse().unwrap();
    let (_, step) = start(gssapi.clone(), None);
    assert_eq!(failure(step), Failure::UnsupportedMechanism(gssapi.clone()));
    let mut config = ServerConfig::default();
    config.mechanisms = vec![Mechanism::ScramSha256];
    let (_, step) = server::Authentication::start(Mechanism::Plain, None, &config, &nonce("n"));
    assert_eq!(
        failure(step),
        Failure::UnsupportedMechanism(Mechanism::Plain)
    );
    assert_eq!(
        client::Authentication::new(gssapi.clone(), Credentials::password("u", "p"), &nonce("n")),
        Err(client::Error::UnsupportedMechanism(gssapi))
    );
}

#[test]
fn response_size_limit_is_exact() {
    let mut config = ServerConfig::default();
    config.max_response_len = 20;
    let at_limit = b"\0tim\0tanstaaftanstaa"; // 20 bytes
    let (_, step) =
        server::Authentication::start(Mechanism::Plain, Some(at_limit), &config, &nonce("n"));
    assert!(matches!(step, Step::Verify(_)));
    let over = b"\0tim\0tanstaaftanstaaf"; // 21 bytes
    let (mut auth, step) =
        server::Authentication::start(Mechanism::Plain, Some(over), &config, &nonce("n"));
    assert_eq!(failure(step), Failure::TooLong { limit: 20 });
    assert!(auth.is_finished());
    assert_eq!(failure(auth.step(b"")), Failure::OutOfSequence);
}

#[test]
fn responses_out_of_sequence_fail() {
    let (mut auth, step) = start(Mechanism::Plain, Some(b"\0tim\0pw"));
    assert!(matches!(step, Step::Verify(_)));
    assert!(auth.is_awaiting_answer());
    assert_eq!(failure(auth.step(b"\0tim\0pw")), Failure::OutOfSequence);
    assert!(auth.is_finished());
    let (mut auth, _) = start(Mechanism::Plain, Some(b"\0tim\0pw"));
    success(auth.answer(Answer::Accept).unwrap());
    assert_eq!(failure(auth.step(b"")), Failure::OutOfSequence);
}

#[test]
fn misplaced_answers_are_errors_and_change_nothing() {
    let (mut auth, _) = start(Mechanism::Plain, None);
    assert_eq!(
        auth.answer(Answer::Accept),
        Err(AnswerError::NotAwaitingAnswer)
    );
    auth.step(b"\0tim\0pw");
    let before = auth.clone();
    assert!(matches!(
        auth.answer(Answer::Password(Secret::new("pw".into()))),
        Err(AnswerError::Mismatch { .. })
    ));
    assert!(matches!(
        auth.answer(Answer::RejectWithError(b"{}".to_vec())),
        Err(AnswerError::Mismatch { .. })
    ));
    assert_eq!(auth, before);
    success(auth.answer(Answer::Accept).unwrap());

    let (mut auth, _) = rfc7677_server(&ServerConfig::default());
    assert!(matches!(
        auth.answer(Answer::Accept),
        Err(AnswerError::Mismatch { .. })
    ));
    assert_eq!(
        failure(auth.answer(Answer::Reject).unwrap()),
        Failure::Rejected
    );
}

#[test]
fn failures_are_classified_for_reply_codes() {
    assert!(Failure::Cancelled.is_syntax_error());
    assert!(Failure::Malformed("x").is_syntax_error());
    assert!(Failure::TooLong { limit: 1 }.is_syntax_error());
    assert!(!Failure::Rejected.is_syntax_error());
    assert!(!Failure::InvalidProof.is_syntax_error());
    assert!(!Failure::UnsupportedMechanism(Mechanism::Plain).is_syntax_error());
}

#[test]
fn cancel_ends_any_exchange() {
    for m in Mechanism::IMPLEMENTED {
        let (mut auth, _) = start(m, None);
        assert_eq!(failure(auth.cancel()), Failure::Cancelled);
        assert!(auth.is_finished());
    }
}

#[test]
fn client_rejects_credentials_of_the_wrong_kind() {
    assert_eq!(
        client::Authentication::new(Mechanism::Plain, Credentials::bearer("u", "t"), &nonce("n")),
        Err(client::Error::WrongCredentials(Mechanism::Plain))
    );
    assert_eq!(
        client::Authentication::new(
            Mechanism::XOAuth2,
            Credentials::password("u", "p"),
            &nonce("n")
        ),
        Err(client::Error::WrongCredentials(Mechanism::XOAuth2))
    );
    for (m, creds) in [
        (Mechanism::Plain, Credentials::password("", "p")),
        (Mechanism::Plain, Credentials::password("u", "")),
        (Mechanism::Plain, Credentials::password("u\0", "p")),
        (
            Mechanism::Login,
            Credentials::Password {
                authorization_identity: Some("a".into()),
                username: "u".into(),
                password: Secret::new("p".into()),
            },
        ),
    ] {
        assert!(matches!(
            client::Authentication::new(m, creds, &nonce("n")),
            Err(client::Error::InvalidCredentials(_))
        ));
    }
}

#[test]
fn client_debug_output_never_shows_the_password() {
    let mut c = client::Authentication::new(
        Mechanism::Plain,
        Credentials::password("tim", "hunter2-secret"),
        &nonce("n"),
    )
    .unwrap();
    assert!(!format!("{c:?}").contains("hunter2"));
    let ir = c.initial_response().unwrap();
    assert!(!format!("{ir:?}").contains("hunter2"));
    let (_, step) = start(Mechanism::Plain, Some(ir.expose()));
    assert!(!format!("{step:?}").contains("hunter2"));
}

#[test]
fn nonce_validation() {
    assert!("".parse::<Nonce>().is_err());
    assert!("a,b".parse::<Nonce>().is_err());
    assert!("a b".parse::<Nonce>().is_err());
    assert!("é".parse::<Nonce>().is_err());
    assert!("x".repeat(255).parse::<Nonce>().is_ok());
    assert!("x".repeat(256).parse::<Nonce>().is_err());
    assert_eq!(
        Nonce::try_from(String::from("%hvY$")).unwrap().as_str(),
        "%hvY$"
    );
}

// ---------------------------------------------------------------------------------------
// Every client mechanism against every server mechanism, in memory
// ---------------------------------------------------------------------------------------

const USER: &str = "user";

/// The SCRAM verifier of USER/PASSWORD, derived once: PBKDF2 is slow in debug builds.
static STORED: std::sync::LazyLock<ScramCredentials> =
    std::sync::LazyLock::new(|| ScramCredentials::derive(PASSWORD, b"NaCl-of-user", 4096).unwrap());
const PASSWORD: &str = "correct horse";
const TOKEN: &str = "tok-123";

fn credentials_for(m: &Mechanism, password: &str) -> Credentials {
    match m {
        Mechanism::XOAuth2 | Mechanism::OAuthBearer => Credentials::Bearer {
            user: USER.into(),
            token: Secret::new(if password == PASSWORD {
                TOKEN.into()
            } else {
                "bad".into()
            }),
            host: Some("mx.example.com".into()),
            port: Some(993),
        },
        Mechanism::External => Credentials::External {
            authorization_identity: None,
        },
        Mechanism::Anonymous => Credentials::Anonymous {
            trace: Some(if password == PASSWORD {
                "ok".into()
            } else {
                "bad".into()
            }),
        },
        _ => Credentials::password(USER, password),
    }
}

/// The application's user database: accepts exactly USER/PASSWORD (or TOKEN, or the "ok"
/// trace; EXTERNAL for USER, as if the certificate were USER's).
fn decide(v: &Verification, stored: &ScramCredentials) -> Answer {
    match v {
        Verification::Password {
            authentication_identity,
            password,
            ..
        } => {
            if authentication_identity == USER && password.expose() == PASSWORD {
                Answer::Accept
            } else {
                Answer::Reject
            }
        }
        Verification::CramMd5 { username } if username == USER => {
            Answer::Password(Secret::new(PASSWORD.into()))
        }
        Verification::Scram { username, .. } if username == USER => {
            Answer::ScramCredentials(stored.clone())
        }
        Verification::Bearer { token, .. } => {
            if token.expose() == TOKEN {
                Answer::Accept
            } else {
                Answer::RejectWithError(br#"{"status":"invalid_token"}"#.to_vec())
            }
        }
        Verification::External {
            authorization_identity,
        } => {
            if authorization_identity.as_deref().is_none_or(|a| a == USER) {
                Answer::Accept
            } else {
                Answer::Reject
            }
        }
        Verification::Anonymous { trace } => {
            if trace.as_deref() == Some("ok") {
                Answer::Accept
            } else {
                Answer::Reject
            }
        }
        _ => Answer::Reject,
    }
}

/// Runs a whole exchange through base64 framing; returns the server's final step.
fn exchange(
    m: &Mechanism,
    password: &str,
    use_ir: bool,
    config: &ServerConfig,
) -> Result<Outcome, Failure> {
    let stored = &*STORED;
    let mut c = client::Authentication::new(
        m.clone(),
        credentials_for(m, password),
        &nonce("clientnonce"),
    )
    .unwrap();
    let ir = if use_ir { c.initial_response() } else { None };
    let ir_line = ir.map(|r| {
        let mut line = Vec::new();
        encode_response(r.expose(), ResponseKind::Initial, &mut line);
        line
    });
    let ir_data = ir_line.map(|line| {
        match decode_response(&line, ResponseKind::Initial, config.max_response_len).unwrap() {
            ClientResponse::Data(d) => d.into_inner(),
            ClientResponse::Cancel => panic!(),
        }
    });
    let (mut s, mut step) =
        server::Authentication::start(m.clone(), ir_data.as_deref(), config, &nonce("servernonce"));
    for _ in 0..10 {
        step = match step {
            Step::Challenge(ch) => {
                let mut line = Vec::new();
                encode_challenge(&ch, &mut line);
                let ch = decode_challenge(&line, 1 << 16).unwrap();
                match c.step(&ch) {
                    Ok(r) => {
                        let mut line = Vec::new();
                        encode_response(r.expose(), ResponseKind::Continuation, &mut line);
                        match decode_response(
                            &line,
                            ResponseKind::Continuation,
                            config.max_response_len,
                        )
                        .unwrap()
                        {
                            ClientResponse::Data(d) => s.step(d.expose()),
                            ClientResponse::Cancel => s.cancel(),
                        }
                    }
                    Err(_) => s.cancel(),
                }
            }
            Step::Verify(v) => s.answer(decide(&v, stored)).unwrap(),
            Step::Success(outcome) => {
                c.finish(outcome.additional_data.as_deref()).unwrap();
                return Ok(outcome);
            }
            Step::Failure(f) => return Err(f),
            _ => panic!("unknown step"),
        };
    }
    panic!("exchange did not end");
}

#[test]
fn every_mechanism_succeeds_against_its_server_with_and_without_initial_response() {
    for success_data in [false, true] {
        let mut config = ServerConfig::default();
        config.success_data = success_data;
        for m in Mechanism::IMPLEMENTED {
            for use_ir in [true, false] {
                let outcome = exchange(&m, PASSWORD, use_ir, &config)
                    .unwrap_or_else(|f| panic!("{m} ir={use_ir}: {f:?}"));
                match m {
                    Mechanism::Plain
                    | Mechanism::Login
                    | Mechanism::CramMd5
                    | Mechanism::ScramSha256 => {
                        assert_eq!(
                            outcome.authentication_identity.as_deref(),
                            Some(USER),
                            "{m}"
                        );
                    }
                    Mechanism::XOAuth2 | Mechanism::OAuthBearer => {
                        assert_eq!(outcome.authorization_identity.as_deref(), Some(USER), "{m}");
                    }
                    _ => assert_eq!(outcome.authentication_identity, None, "{m}"),
                }
            }
        }
    }
}

#[test]
fn every_password_mechanism_fails_with_a_wrong_password() {
    let config = ServerConfig::default();
    for m in Mechanism::IMPLEMENTED {
        if m == Mechanism::External {
            continue; // No password: the TLS identity decides.
        }
        for use_ir in [true, false] {
            let f = exchange(&m, "wrong", use_ir, &config).unwrap_err();
            let expected = match m {
                Mechanism::CramMd5 | Mechanism::ScramSha256 => Failure::InvalidProof,
                _ => Failure::Rejected,
            };
            assert_eq!(f, expected, "{m} ir={use_ir}");
        }
    }
}

#[test]
fn client_of_one_mechanism_fails_cleanly_against_a_server_of_another() {
    let stored = &*STORED;
    for cm in Mechanism::IMPLEMENTED {
        for sm in Mechanism::IMPLEMENTED {
            if cm == sm {
                continue;
            }
            let mut c = client::Authentication::new(
                cm.clone(),
                credentials_for(&cm, PASSWORD),
                &nonce("cn"),
            )
            .unwrap();
            let ir = c.initial_response();
            let (mut s, mut step) = server::Authentication::start(
                sm.clone(),
                ir.as_ref().map(|r| r.expose().as_slice()),
                &ServerConfig::default(),
                &nonce("sn"),
            );
            let mut ended = None;
            for _ in 0..10 {
                step = match step {
                    Step::Challenge(ch) => match c.step(&ch) {
                        Ok(r) => s.step(r.expose()),
                        Err(_) => s.cancel(),
                    },
                    Step::Verify(v) => s.answer(decide(&v, stored)).unwrap(),
                    Step::Success(_) | Step::Failure(_) => {
                        ended = Some(step);
                        break;
                    }
                    _ => panic!(),
                };
            }
            let ended = ended.unwrap_or_else(|| panic!("{cm} vs {sm} did not end"));
            // The only cross-mechanism success: LOGIN answers EXTERNAL's empty challenge
            // with the user name, a well-formed EXTERNAL authzid that this policy accepts.
            let may_succeed = cm == Mechanism::Login && sm == Mechanism::External;
            assert_eq!(
                matches!(ended, Step::Success(_)),
                may_succeed,
                "{cm} vs {sm}: {ended:?}"
            );
            assert!(s.is_finished(), "{cm} vs {sm}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

fn answer_for(selector: u8, v: &Verification, stored: &ScramCredentials) -> Answer {
    match selector % 6 {
        0 => Answer::Accept,
        1 => Answer::Reject,
        2 => Answer::Password(Secret::new("pw".into())),
        3 => Answer::ScramCredentials(stored.clone()),
        4 => Answer::RejectWithError(b"{}".to_vec()),
        _ => decide(v, stored),
    }
}

proptest! {
    #[test]
    fn server_never_panics_on_arbitrary_responses(
        mech in 0usize..9,
        ir in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
        responses in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..6),
        selectors in proptest::collection::vec(any::<u8>(), 6),
    ) {
        let stored = ScramCredentials::derive("pw", b"salt", 1).unwrap();
        let m = Mechanism::IMPLEMENTED.get(mech).cloned().unwrap_or_else(|| "GSSAPI".parse().unwrap());
        let mut config = ServerConfig::default();
        config.max_response_len = 48;
        let (mut s, mut step) = server::Authentication::start(m, ir.as_deref(), &config, &nonce("sn"));
        for (response, selector) in responses.iter().zip(&selectors) {
            step = match step {
                Step::Verify(v) => match s.answer(answer_for(*selector, &v, &stored)) {
                    Ok(next) => next,
                    Err(_) => s.step(response),
                },
                _ => s.step(response),
            };
        }
    }

    #[test]
    fn server_never_panics_on_mutated_scram_messages(
        first_tail in "[ -~]{0,30}",
        final_msg in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let stored = ScramCredentials::derive("pw", b"salt", 1).unwrap();
        let first = format!("n,,n=user,r=abc{first_tail}");
        let (mut s, step) = server::Authentication::start(Mechanism::ScramSha256, Some(first.as_bytes()), &ServerConfig::default(), &nonce("sn"));
        if matches!(step, Step::Verify(_)) {
            let _ = s.answer(Answer::ScramCredentials(stored));
            let step = s.step(&final_msg);
            prop_assert!(matches!(step, Step::Failure(_)));
        }
    }

    #[test]
    fn client_never_panics_on_arbitrary_challenges(
        mech in 0usize..8,
        challenges in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..5),
    ) {
        let m = Mechanism::IMPLEMENTED[mech].clone();
        let mut c = client::Authentication::new(m.clone(), credentials_for(&m, PASSWORD), &nonce("cn")).unwrap().with_max_iterations(8192);
        let _ = c.initial_response();
        for ch in &challenges {
            let _ = c.step(ch);
        }
        let _ = c.finish(challenges.last().map(Vec::as_slice));
    }

    #[test]
    fn base64_framing_round_trips(data in proptest::collection::vec(any::<u8>(), 0..200), initial in any::<bool>()) {
        let kind = if initial { ResponseKind::Initial } else { ResponseKind::Continuation };
        let mut line = Vec::new();
        encode_response(&data, kind, &mut line);
        prop_assert_eq!(decode_response(&line, kind, data.len()), Ok(ClientResponse::Data(Secret::new(data.clone()))));
        let mut line = Vec::new();
        encode_challenge(&data, &mut line);
        prop_assert_eq!(decode_challenge(&line, data.len()), Ok(data));
    }

    #[test]
    fn decode_response_never_panics(line in proptest::collection::vec(any::<u8>(), 0..100), limit in 0usize..100) {
        let _ = decode_response(&line, ResponseKind::Initial, limit);
        let _ = decode_response(&line, ResponseKind::Continuation, limit);
    }

    #[test]
    fn saslname_escape_round_trips(name in "\\PC{1,20}") {
        let escaped = escape_saslname(&name);
        prop_assert!(!escaped.contains(','));
        prop_assert_eq!(unescape_saslname(&escaped), Some(name));
    }

    #[test]
    fn mechanism_names_round_trip(name in "[A-Za-z0-9_-]{1,20}") {
        let m: Mechanism = name.parse().unwrap();
        prop_assert_eq!(m.to_string(), name.to_ascii_uppercase());
        prop_assert_eq!(m.to_string().parse::<Mechanism>().unwrap(), m);
    }
}

#[test]
fn respond_line_decodes_steps_and_cancels() {
    // RFC 4616 §4's PLAIN example, sent on a continuation line after an empty challenge.
    let (mut auth, step) = start(Mechanism::Plain, None);
    assert_eq!(challenge(step), b"");
    let line = b64(b"\0tim\0tanstaaftanstaaf");
    let v = verification(auth.respond_line(line.as_bytes(), 12288).unwrap());
    assert!(matches!(v, Verification::Password { .. }));

    let (mut auth, _) = start(Mechanism::Plain, None);
    assert_eq!(
        auth.respond_line(b"*", 12288),
        Ok(Step::Failure(Failure::Cancelled))
    );
    assert!(auth.is_finished());
}

#[test]
fn respond_line_limit_counts_the_crlf() {
    let line = b64(&[b'x'; 9000]);
    // Exactly at the limit (line + CRLF) is read; one octet under the limit is refused.
    let (mut auth, _) = start(Mechanism::Plain, None);
    assert!(auth.respond_line(line.as_bytes(), line.len() + 2).is_ok());
    let (mut auth, _) = start(Mechanism::Plain, None);
    assert_eq!(
        auth.respond_line(line.as_bytes(), line.len() + 1),
        Err(server::ContinuationError::TooLong {
            limit: line.len() + 1
        })
    );
    assert!(auth.is_finished());
}

#[test]
fn respond_line_refuses_what_is_not_base64() {
    for bad in [&b"dGVzdA"[..], b"dG!zdA==", b"dGVzdA==dGVzdA==", b"**"] {
        let (mut auth, _) = start(Mechanism::Plain, None);
        assert_eq!(
            auth.respond_line(bad, 12288),
            Err(server::ContinuationError::Undecodable),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
        assert!(auth.is_finished());
    }
}
