//! `AUTH` (RFC 4954) through mail-core's SASL client: the strongest mechanism both sides
//! allow, the initial response when it fits, and the challenge–response exchange.

use bytes::BytesMut;
use mail_core::sasl::client::{Authentication, Credentials};
use mail_core::sasl::{self, Mechanism, Nonce, ResponseKind};

use super::{Connection, Event, Expect};
use crate::capability::EhloReply;
use crate::error::SendError;
use crate::reply::{Reply, ReplyCode};

impl Connection {
    /// Authenticates with the strongest mechanism that the server offers, that
    /// [`Config::sasl_mechanisms`](super::Config::sasl_mechanisms) allows and that fits `credentials` (RFC 4954).
    ///
    /// `nonce` is the SCRAM client nonce: fresh and random for every exchange.
    ///
    /// # Errors
    /// [`SendError::NotAllowed`] when busy, already authenticated, or without TLS (unless
    /// [`Config::allow_plaintext_auth`](super::Config::allow_plaintext_auth)); [`SendError::NoMechanism`] when no mechanism fits.
    pub fn authenticate(
        &mut self,
        credentials: Credentials,
        nonce: &Nonce,
    ) -> Result<(), SendError> {
        if !self.ready_for_command() || self.authenticated {
            return Err(SendError::NotAllowed);
        }
        if !(self.tls_active || self.config.allow_plaintext_auth) {
            return Err(SendError::NotAllowed);
        }
        let offered = self
            .capabilities
            .as_ref()
            .map(EhloReply::auth_mechanisms)
            .unwrap_or_default();
        let fitting: Vec<Mechanism> = self
            .config
            .sasl_mechanisms
            .iter()
            .filter(|m| fits(m, &credentials))
            .cloned()
            .collect();
        let mechanism = Mechanism::strongest(&offered, &fitting).ok_or(SendError::NoMechanism)?;
        let mut auth = Authentication::new(mechanism.clone(), credentials.clone(), nonce)
            .map_err(|_| SendError::NoMechanism)?;
        let initial = auth.initial_response();
        let mut line = BytesMut::new();
        line.extend_from_slice(b"AUTH ");
        line.extend_from_slice(mechanism.as_str().as_bytes());
        let mut deferred = false;
        if let Some(ir) = &initial {
            let mut encoded = Vec::new();
            sasl::encode_response(ir.expose(), ResponseKind::Initial, &mut encoded);
            // RFC 4954 §4: an initial response that would make the line longer than 512
            // octets is not sent; the client answers the server's empty challenge instead.
            if line.len() + 1 + encoded.len() + 2 <= 512 {
                line.extend_from_slice(b" ");
                line.extend_from_slice(&encoded);
            } else {
                deferred = true;
            }
        }
        line.extend_from_slice(b"\r\n");
        if deferred {
            // Rebuild the exchange so the first step answers the empty challenge.
            auth = Authentication::new(mechanism, credentials, nonce)
                .map_err(|_| SendError::NoMechanism)?;
        }
        self.core.output().extend_from_slice(&line);
        self.expect.push_back(Expect::Auth);
        self.auth = Some(Box::new(auth));
        Ok(())
    }

    pub(super) fn on_auth_reply(&mut self, reply: Reply) {
        let Some(auth) = &mut self.auth else {
            self.core.push_event(Event::AuthenticationFailed {
                reply,
                reason: None,
            });
            return;
        };
        if reply.code() == ReplyCode::AUTH_CHALLENGE {
            let text = reply.text_lines().next().unwrap_or_default();
            let response =
                sasl::decode_challenge(text.as_bytes(), sasl::server::DEFAULT_MAX_RESPONSE_LEN)
                    .map_err(|_| ())
                    .and_then(|challenge| auth.step(&challenge).map_err(|_| ()));
            match response {
                Ok(data) => {
                    let mut encoded = Vec::new();
                    sasl::encode_response(data.expose(), ResponseKind::Continuation, &mut encoded);
                    self.core.output().extend_from_slice(&encoded);
                }
                // RFC 4954 §4: a client that cannot go on "MUST cancel the authentication
                // using the '*' response".
                Err(()) => self.core.output().extend_from_slice(b"*"),
            }
            self.core.output().extend_from_slice(b"\r\n");
            self.expect.push_front(Expect::Auth);
            return;
        }
        let mut auth = self.auth.take();
        if reply.code() == ReplyCode::AUTH_SUCCEEDED {
            let verified = auth.as_mut().map(|a| a.finish(None));
            match verified {
                Some(Ok(())) => {
                    self.authenticated = true;
                    let mechanism = auth
                        .map(|a| a.mechanism().clone())
                        .unwrap_or(Mechanism::Plain);
                    self.core.push_event(Event::Authenticated(mechanism));
                }
                Some(Err(e)) => self.core.push_event(Event::AuthenticationFailed {
                    reply,
                    reason: Some(e.to_string()),
                }),
                None => {}
            }
        } else {
            self.core.push_event(Event::AuthenticationFailed {
                reply,
                reason: None,
            });
        }
    }
}

/// Returns whether `mechanism` can use `credentials`.
fn fits(mechanism: &Mechanism, credentials: &Credentials) -> bool {
    matches!(
        (mechanism, credentials),
        (
            Mechanism::Plain | Mechanism::Login | Mechanism::CramMd5 | Mechanism::ScramSha256,
            Credentials::Password { .. }
        ) | (
            Mechanism::OAuthBearer | Mechanism::XOAuth2,
            Credentials::Bearer { .. }
        ) | (Mechanism::External, Credentials::External { .. })
            | (Mechanism::Anonymous, Credentials::Anonymous { .. })
    )
}
