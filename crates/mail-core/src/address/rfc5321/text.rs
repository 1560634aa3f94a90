//! [`Text`]: the validated UTF-8 storage behind [`LocalPart`](super::LocalPart) and
//! [`Domain`](super::Domain).
//!
//! Nearly every local part and domain an SMTP server reads is a few dozen bytes long. Held
//! inline up to 30 bytes (a 32-byte value), they cost no heap allocation.

/// A local part's or a domain's text: [`CompactText`](crate::text::CompactText), inline up to
/// 30 bytes.
pub(super) type Text = crate::text::CompactText<30>;
