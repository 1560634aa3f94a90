//! The server's users: names, passwords, and the SCRAM credentials derived from them.
//!
//! Whether a name is a user must not show: SCRAM and CRAM-MD5 answer an unknown user with
//! credentials derived from a server secret (random at startup), exactly as they answer a
//! known one, and the exchange then fails at the proof, the same way a wrong password does
//! (RFC 5802 §5.1 suggests this; see [`mail_core::sasl::server`]).

use std::collections::HashMap;

use mail_core::Secret;
use mail_core::sasl::scram::ScramCredentials;
use mail_core::sasl::server::{Answer, Verification};
use sha2::{Digest, Sha256};

/// One user.
#[derive(Debug, Clone)]
struct User {
    password: Secret<String>,
    scram: Option<ScramCredentials>,
}

/// The user table.
#[derive(Debug, Clone)]
pub struct Users {
    users: HashMap<String, User>,
    /// Random at startup: the salts, and the credentials given for unknown users, derive
    /// from it, so nobody outside can tell a user's salt from a made-up one.
    secret: Secret<[u8; 32]>,
}

impl Default for Users {
    fn default() -> Self {
        let mut secret = [0u8; 32];
        if getrandom::fill(&mut secret).is_err() {
            // No random source: the secret is then only as good as the time. The server's
            // nonces refuse to start in that case anyway.
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            secret = Sha256::digest(now.as_nanos().to_le_bytes()).into();
        }
        Self {
            users: HashMap::new(),
            secret: Secret::new(secret),
        }
    }
}

/// The SCRAM iteration count of every user, known or not.
const ITERATIONS: u32 = 4096;

impl Users {
    /// Adds a user from `name:password`.
    ///
    /// # Errors
    /// When there is no colon or the name is empty.
    pub fn add_spec(&mut self, spec: &str) -> Result<String, crate::Error> {
        let (name, password) = spec.split_once(':').ok_or("a user is NAME:PASSWORD")?;
        if name.is_empty() || name.contains(['/', '\\', '.']) {
            return Err("a user name must be non-empty and hold no '/', '\\' or '.'".into());
        }
        self.add(name, password);
        Ok(name.to_owned())
    }

    /// Returns a value derived from the server secret, a purpose and a name.
    fn derived(&self, purpose: &str, name: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.secret.expose());
        h.update(purpose.as_bytes());
        h.update([0]);
        h.update(name.as_bytes());
        h.finalize().into()
    }

    /// Adds a user.
    pub fn add(&mut self, name: &str, password: &str) {
        // The salt derives from the server secret: no one can tell it from an unknown
        // user's (nothing is stored, so it may change with each start).
        let salt = self.derived("salt", name);
        let scram = ScramCredentials::derive(password, &salt, ITERATIONS).ok();
        self.users.insert(
            name.to_owned(),
            User {
                password: Secret::new(password.to_owned()),
                scram,
            },
        );
    }

    /// Returns whether `name` is a user.
    pub fn contains(&self, name: &str) -> bool {
        self.users.contains_key(name)
    }

    /// Returns the names of all users.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.users.keys().map(String::as_str)
    }

    /// Returns whether `password` is `name`'s password.
    pub fn check(&self, name: &str, password: &str) -> bool {
        self.users
            .get(name)
            .is_some_and(|u| constant_time_eq(u.password.expose().as_bytes(), password.as_bytes()))
    }

    /// Returns `name`'s password, for mechanisms that need it (CRAM-MD5, APOP).
    pub fn password(&self, name: &str) -> Option<&Secret<String>> {
        self.users.get(name).map(|u| &u.password)
    }

    /// Returns the SCRAM credentials given for a name that is no user: derived from the
    /// server secret, stable for the name, and no password matches them.
    fn decoy_scram(&self, name: &str) -> Option<ScramCredentials> {
        let salt = self.derived("salt", name);
        ScramCredentials::new(
            salt.to_vec(),
            ITERATIONS,
            self.derived("stored-key", name),
            self.derived("server-key", name),
        )
        .ok()
    }

    /// Returns the password given for a name that is no user (CRAM-MD5, APOP): derived from
    /// the server secret, so the digest check fails as it does for a wrong password.
    pub fn decoy_password(&self, name: &str) -> Secret<String> {
        let bytes = self.derived("password", name);
        Secret::new(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Answers a SASL credential check. Authorization as another user is refused. An
    /// unknown user gets the same kind of answer as a known one (see the module docs).
    pub fn answer(&self, verification: &Verification) -> (Answer, Option<String>) {
        match verification {
            Verification::Password {
                authorization_identity,
                authentication_identity,
                password,
            } => {
                let ok = self.check(authentication_identity, password.expose())
                    && authorization_identity
                        .as_deref()
                        .is_none_or(|a| a == authentication_identity);
                if ok {
                    (Answer::Accept, Some(authentication_identity.clone()))
                } else {
                    (Answer::Reject, None)
                }
            }
            Verification::Scram {
                authorization_identity,
                username,
            } => {
                let known = self.users.get(username).and_then(|u| u.scram.clone());
                let authorized = authorization_identity
                    .as_deref()
                    .is_none_or(|a| a == username);
                match known.or_else(|| self.decoy_scram(username)) {
                    // An unknown user gets decoy credentials and fails at the proof.
                    Some(creds) if authorized => {
                        (Answer::ScramCredentials(creds), Some(username.clone()))
                    }
                    _ => (Answer::Reject, None),
                }
            }
            Verification::CramMd5 { username } => {
                let password = self
                    .password(username)
                    .cloned()
                    .unwrap_or_else(|| self.decoy_password(username));
                (Answer::Password(password), Some(username.clone()))
            }
            _ => (Answer::Reject, None),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn scram(users: &Users, name: &str) -> ScramCredentials {
        let v = Verification::Scram {
            authorization_identity: None,
            username: name.into(),
        };
        match users.answer(&v).0 {
            Answer::ScramCredentials(c) => c,
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn unknown_users_get_credentials_like_known_ones() {
        let mut users = Users::default();
        users.add("alice", "secret");
        let (alice, nobody) = (scram(&users, "alice"), scram(&users, "nobody"));
        assert_eq!(alice.iterations(), nobody.iterations());
        assert_eq!(alice.salt().len(), nobody.salt().len());
        assert_ne!(alice.salt(), nobody.salt());
        // Stable for a name within a run, different between runs (a random secret).
        assert_eq!(scram(&users, "nobody"), nobody);
        assert_ne!(scram(&Users::default(), "nobody").salt(), nobody.salt());
        // No password opens the decoy: it is not derived from one.
        let cram = Verification::CramMd5 {
            username: "nobody".into(),
        };
        assert!(matches!(users.answer(&cram).0, Answer::Password(_)));
        assert!(!users.check("nobody", users.decoy_password("nobody").expose()));
    }
}
