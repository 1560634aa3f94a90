//! The server's users: names, passwords, and the SCRAM credentials derived from them.

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
#[derive(Debug, Clone, Default)]
pub struct Users {
    users: HashMap<String, User>,
}

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

    /// Adds a user.
    pub fn add(&mut self, name: &str, password: &str) {
        // A per-user salt that is stable across restarts, so SCRAM works with nothing stored.
        let salt = Sha256::digest(format!("mail-proto example salt for {name}").as_bytes());
        let scram = ScramCredentials::derive(password, &salt, 4096).ok();
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

    /// Answers a SASL credential check. Authorization as another user is refused.
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
            } => match self.users.get(username).and_then(|u| u.scram.clone()) {
                Some(creds)
                    if authorization_identity
                        .as_deref()
                        .is_none_or(|a| a == username) =>
                {
                    (Answer::ScramCredentials(creds), Some(username.clone()))
                }
                _ => (Answer::Reject, None),
            },
            Verification::CramMd5 { username } => match self.password(username) {
                Some(p) => (Answer::Password(p.clone()), Some(username.clone())),
                None => (Answer::Reject, None),
            },
            _ => (Answer::Reject, None),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
