//! Writing responses, and the capabilities the server has at each moment.

use super::mailbox::Update;
use super::{Connection, LiteralPlus, Tag};
use crate::response::{Code, Continuation, Data, FetchItem, Response, Status, StatusKind, Text};
use crate::types::{Capability, Fragment, SequenceSet};

impl Connection {
    /// Writes a response to the output.
    pub(super) fn write(&mut self, response: &Response) {
        let scratch = core::mem::take(&mut self.scratch);
        self.scratch = response.write_to(self.core.output(), scratch);
    }

    /// Writes wire fragments to the output.
    pub(super) fn write_fragments(&mut self, fragments: &[Fragment]) {
        let out = self.core.output();
        for f in fragments {
            out.extend_from_slice(f.as_bytes());
        }
    }

    /// Writes an untagged status (`* OK`, `* BYE` …). A text that does not fit the grammar
    /// is dropped rather than sent.
    pub(super) fn untagged(&mut self, kind: StatusKind, code: Option<Code>, text: &str) {
        let status = Status::untagged(kind, code.clone(), text)
            .or_else(|_| Status::untagged(kind, code, ""));
        if let Ok(status) = status {
            self.write(&Response::Status(status));
        }
    }

    /// Writes a tagged status.
    pub(super) fn tagged(&mut self, tag: Tag, kind: StatusKind, code: Option<Code>, text: &str) {
        let status = Status::tagged(tag.clone(), kind, code.clone(), text)
            .or_else(|_| Status::tagged(tag, kind, code, ""));
        if let Ok(status) = status {
            self.write(&Response::Status(status));
        }
    }

    /// Writes a continuation request with a text.
    pub(super) fn continuation(&mut self, text: &str) {
        let text = Text::try_from(text).unwrap_or_default();
        self.write(&Response::Continuation(Continuation::Text {
            code: None,
            text,
        }));
    }

    /// Writes untagged data.
    pub(super) fn untagged_data(&mut self, data: Data) {
        self.write(&Response::Data(data));
    }

    /// Writes one mailbox change.
    pub(super) fn encode_update(&mut self, update: Update) {
        match update {
            Update::Keywords(flags, perm) => {
                self.untagged_data(Data::Flags(flags));
                self.untagged(StatusKind::Ok, Some(Code::PermanentFlags(perm)), "Flags");
            }
            Update::Expunge(seq) => self.untagged_data(Data::Expunge(seq)),
            Update::Vanished(uids) => {
                if let Some(uids) = SequenceSet::from_sorted(&uids) {
                    self.untagged_data(Data::Vanished {
                        earlier: false,
                        uids,
                    });
                }
            }
            Update::Exists(n) => self.untagged_data(Data::Exists(n)),
            Update::Flags(seq, info) => {
                let mut items = Vec::with_capacity(3);
                // RFC 9051 §7.5.2: unsolicited FETCH responses carry the UID under IMAP4rev2;
                // RFC 7162 §3.1.4: and the MODSEQ once CONDSTORE is in use.
                if self.enabled.rev2 || self.is_condstore() {
                    items.push(FetchItem::Uid(info.uid));
                }
                items.push(FetchItem::Flags(info.flags.to_vec()));
                if self.is_condstore() && info.mod_seq > 0 {
                    items.push(FetchItem::ModSeq(info.mod_seq));
                }
                self.untagged_data(Data::Fetch { seq, items });
            }
        }
    }

    /// Returns whether credentials may cross this connection (RFC 9051 §6.2.3).
    pub(super) fn auth_allowed(&self) -> bool {
        self.tls_active || self.config.allow_plaintext_auth
    }

    /// Returns the capabilities the server has now (RFC 9051 §7.2.2): derived from the
    /// configuration, the TLS state and whether the client authenticated.
    pub(super) fn capabilities(&self) -> Vec<Capability> {
        let mut caps = vec![Capability::Imap4rev1, Capability::Imap4rev2];
        if !self.authenticated {
            if self.config.starttls && !self.tls_active {
                caps.push(Capability::StartTls);
            }
            if self.auth_allowed() {
                caps.extend(self.sasl.offered(true).into_iter().map(Capability::Auth));
                caps.push(Capability::SaslIr);
            } else {
                // RFC 9051 §6.2.3: LOGIN is refused before TLS, and says so.
                caps.push(Capability::LoginDisabled);
            }
        }
        match self.config.literal_plus {
            LiteralPlus::Plus => caps.push(Capability::LiteralPlus),
            LiteralPlus::Minus => caps.push(Capability::LiteralMinus),
            LiteralPlus::None => {}
        }
        caps.extend([
            Capability::Enable,
            Capability::Idle,
            Capability::Id,
            Capability::Unselect,
        ]);
        for c in &self.config.capabilities {
            if !caps.contains(c) {
                caps.push(c.clone());
            }
        }
        caps
    }
}
