//! [`Secret`]: a wrapper for credentials that never shows them in `Debug` output.

use core::fmt;

/// A value that must not leak into logs: passwords, tokens, SASL responses.
///
/// `Debug` always prints `Secret(<redacted>)`, whatever `T` is, so a `#[derive(Debug)]` on an
/// event or command that carries a password is safe to log. `Secret` deliberately does not
/// implement `Display`; read the value with [`Secret::expose`] where it is really needed.
///
/// ```
/// use mail_core::Secret;
/// let password = Secret::new(String::from("hunter2"));
/// assert_eq!(format!("{password:?}"), "Secret(<redacted>)");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// Returns a reference to the wrapped value.
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// Returns the wrapped value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn debug_redacts_strings_and_bytes() {
        assert_eq!(format!("{:?}", Secret::new("pw")), "Secret(<redacted>)");
        assert_eq!(
            format!("{:#?}", Secret::new(vec![1u8, 2])),
            "Secret(<redacted>)"
        );
    }

    #[test]
    fn debug_redacts_inside_derived_debug() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Login {
            user: String,
            password: Secret<String>,
        }
        let login = Login {
            user: "alice".into(),
            password: Secret::new("s3cr3t".into()),
        };
        let shown = format!("{login:?}");
        assert!(shown.contains("alice"));
        assert!(!shown.contains("s3cr3t"));
    }

    #[test]
    fn expose_and_into_inner_return_the_value() {
        let s = Secret::from(String::from("x"));
        assert_eq!(s.expose(), "x");
        assert_eq!(s.clone().into_inner(), "x");
        assert_eq!(s, Secret::new(String::from("x")));
    }
}
