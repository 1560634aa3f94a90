//! The command loop: one command line read, checked against the session's state, and either
//! answered here or handed to the application (RFC 5321 §4.1, §4.1.4 command order).

use bytes::Bytes;
use mail_core::address::rfc5321::{ForwardPath, ReversePath};
use mail_core::connection::CloseReason;
use mail_core::line::LineError;

use super::{AbortReason, Connection, Event, Pending, Phase, esc};
use crate::command::{Body, Command, MailParameters, RcptParameters};
use crate::error::CommandError;
use crate::reply::ReplyCode;

/// What one command line held, as [`Connection::step_command`] reads it.
enum CommandLine {
    /// A command.
    Command(Command),
    /// A line over the command-line limit.
    TooLong,
    /// A line that does not parse, copied for the error reply.
    Invalid(Bytes, CommandError),
}

impl Connection {
    /// Reads and handles one command line. Returns false when no complete line is buffered.
    pub(super) fn step_command(&mut self) -> bool {
        let max_command_line = self.config.max_command_line;
        let envelope_syntax = self.config.envelope_syntax;
        // The line is parsed where it lies in the input buffer; only a line that fails to
        // parse is copied out, for the error reply.
        let read = self.framer.next_line_with(self.core.input(), |line| {
            let is_auth = line
                .get(..5)
                .is_some_and(|v| v.eq_ignore_ascii_case(b"AUTH "));
            // RFC 5321 §4.5.3.1.4: 512 octets with CRLF; RFC 4954 §4 lets AUTH be longer.
            if !is_auth && line.len() + 2 > max_command_line {
                return CommandLine::TooLong;
            }
            match Command::parse_with(line, envelope_syntax) {
                Ok(command) => CommandLine::Command(command),
                Err(e) => CommandLine::Invalid(Bytes::copy_from_slice(line), e),
            }
        });
        let read = match read {
            None => return false,
            Some(Ok(read)) => read,
            Some(Err(LineError::TooLong { .. })) => CommandLine::TooLong,
            Some(Err(LineError::BareLf | LineError::BareCr { .. })) | Some(Err(_)) => {
                // Postfix `smtpd_forbid_bare_newline = reject`: reply and disconnect.
                self.close_with(
                    CloseReason::ProtocolViolation,
                    ReplyCode::NO_MAIL_ACCEPTED,
                    esc(5, 5, 2),
                    "Bare CR or LF received, closing connection",
                );
                return true;
            }
        };
        match read {
            CommandLine::Command(command) => self.handle(command),
            CommandLine::TooLong => {
                self.error(ReplyCode::SYNTAX_ERROR, esc(5, 5, 2), "Line too long");
            }
            CommandLine::Invalid(line, e) => self.parse_error(&line, &e),
        }
        true
    }

    pub(super) fn parse_error(&mut self, line: &[u8], e: &CommandError) {
        let verb = line.split(|&b| b == b' ').next().unwrap_or_default();
        if verb.eq_ignore_ascii_case(b"BDAT") {
            // RFC 3030 §2: the chunk follows whatever we think of the command; read it.
            let args = line.get(5..).unwrap_or_default();
            match crate::command::bdat_size(args) {
                Some(size) => {
                    self.phase = Phase::Bdat {
                        remaining: size,
                        last: false,
                        discard: true,
                    };
                    if let Some(t) = &mut self.transaction {
                        t.failed = true;
                    }
                    return self.error(
                        ReplyCode::PARAMETER_SYNTAX_ERROR,
                        esc(5, 5, 4),
                        "Syntax: BDAT size [LAST]",
                    );
                }
                None => {
                    // Without a size the chunk cannot be told from commands: stop here.
                    self.abort_message(AbortReason::ConnectionClosed);
                    self.close(
                        CloseReason::ProtocolViolation,
                        esc(4, 5, 4),
                        "Unreadable BDAT size, closing connection",
                    );
                    return;
                }
            }
        }
        match e {
            CommandError::DuplicateParameter { .. } | CommandError::Parameter { .. } => {
                let text = e.to_string();
                self.error(ReplyCode::PARAMETER_SYNTAX_ERROR, esc(5, 5, 4), &text)
            }
            CommandError::Syntax { .. } => {
                let text = format!("Syntax error: {e}");
                self.error(ReplyCode::PARAMETER_SYNTAX_ERROR, esc(5, 5, 2), &text)
            }
        }
    }

    pub(super) fn handle(&mut self, command: Command) {
        let lmtp = self.config.lmtp;
        match command {
            Command::Helo(domain) if !lmtp => self.ask(Pending::Helo {
                domain,
                extended: false,
            }),
            Command::Ehlo(domain) if !lmtp => self.ask(Pending::Helo {
                domain,
                extended: true,
            }),
            Command::Lhlo(domain) if lmtp => self.ask(Pending::Helo {
                domain,
                extended: true,
            }),
            Command::Helo(_) | Command::Ehlo(_) | Command::Lhlo(_) => self.error(
                ReplyCode::SYNTAX_ERROR,
                esc(5, 5, 1),
                "Command not recognized",
            ),
            Command::Mail {
                reverse_path,
                parameters,
            } => self.mail(reverse_path, parameters),
            Command::Rcpt {
                forward_path,
                parameters,
            } => self.rcpt(forward_path, parameters),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(size, last),
            Command::Rset => {
                self.abort_message(AbortReason::Reset);
                self.transaction = None;
                self.ok(esc(2, 0, 0), "Ok");
            }
            Command::Noop(_) => {
                self.ok(esc(2, 0, 0), "Ok");
            }
            Command::Quit => {
                self.abort_message(AbortReason::ConnectionClosed);
                let text = format!("{} Bye", self.config.hostname);
                self.close_with(CloseReason::Quit, ReplyCode::CLOSING, esc(2, 0, 0), &text);
            }
            Command::Help(_) => {
                let text = self.config.help.clone();
                self.ok_code(ReplyCode::HELP, esc(2, 0, 0), &text);
            }
            Command::Vrfy(arg) if self.config.application_vrfy => self.ask_free(Event::Vrfy(arg)),
            Command::Vrfy(_) => {
                self.ok_code(
                    ReplyCode::CANNOT_VRFY,
                    esc(2, 5, 2),
                    "Cannot VRFY user, but will accept message and attempt delivery",
                );
            }
            Command::Expn(arg) if self.config.application_expn => self.ask_free(Event::Expn(arg)),
            Command::Etrn(arg) if self.config.application_etrn => self.ask_free(Event::Etrn(arg)),
            Command::Expn(_) | Command::Etrn(_) => self.error(
                ReplyCode::NOT_IMPLEMENTED,
                esc(5, 5, 1),
                "Command not implemented",
            ),
            Command::StartTls => self.starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(
                mechanism,
                initial_response.as_ref().map(|r| r.expose().as_slice()),
            ),
            Command::Unknown { verb, arguments } if self.config.application_unknown => {
                self.ask_free(Event::Unknown { verb, arguments })
            }
            _ => self.error(
                ReplyCode::SYNTAX_ERROR,
                esc(5, 5, 2),
                "Command not recognized",
            ),
        }
    }

    /// A positive reply: resets the error count.
    pub(super) fn ask(&mut self, pending: Pending) {
        let event = match &pending {
            Pending::Helo { domain, extended } => Event::Helo {
                domain: domain.clone(),
                extended: *extended,
            },
            Pending::Mail {
                reverse_path,
                parameters,
            } => Event::Mail {
                reverse_path: reverse_path.clone(),
                parameters: parameters.clone(),
            },
            Pending::Rcpt {
                forward_path,
                parameters,
            } => Event::Rcpt {
                forward_path: forward_path.clone(),
                parameters: parameters.clone(),
            },
            Pending::MessageEnd { .. } | Pending::Auth | Pending::Free => return,
        };
        self.core.push_event(event);
        self.pending = Some(pending);
    }

    pub(super) fn ask_free(&mut self, event: Event) {
        self.core.push_event(event);
        self.pending = Some(Pending::Free);
    }

    pub(super) fn mail(&mut self, reverse_path: ReversePath, parameters: MailParameters) {
        if self.helo.is_none() {
            return self.bad_sequence("Send HELO/EHLO first");
        }
        if self.transaction.is_some() {
            return self.bad_sequence("Nested MAIL command");
        }
        if self.config.require_auth && !self.authenticated {
            // RFC 4954 §6: 530 Authentication required.
            return self.error(
                ReplyCode::AUTH_REQUIRED,
                esc(5, 7, 0),
                "Authentication required",
            );
        }
        let ext = &self.config.extensions;
        let non_esmtp = !self.esmtp && (parameters != MailParameters::default());
        if non_esmtp {
            return self.error(
                ReplyCode::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                "Parameters need EHLO",
            );
        }
        if let Some(size) = parameters.size
            && self.config.max_message_size > 0
            && size > self.config.max_message_size
        {
            // RFC 1870 §6.1: 552 for a declared size over the fixed maximum.
            return self.error(
                ReplyCode::EXCEEDED_STORAGE,
                esc(5, 3, 4),
                "Message size exceeds fixed maximum message size",
            );
        }
        let extras = parameters.extras();
        let unsupported = match parameters.body {
            Some(Body::EightBitMime) => !ext.eight_bit_mime,
            Some(Body::BinaryMime) => !(ext.binarymime && ext.chunking),
            _ => false,
        } || (parameters.smtputf8 && !ext.smtputf8)
            || ((extras.ret.is_some() || extras.envid.is_some()) && !ext.dsn)
            || (parameters.requiretls && !(ext.requiretls && self.tls_active))
            || extras.mt_priority.is_some()
            || extras.by.is_some()
            || extras.hold_for.is_some()
            || extras.hold_until.is_some()
            || (!extras.other.is_empty() && !self.config.accept_unknown_parameters);
        if unsupported {
            return self.error(
                ReplyCode::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                "Unsupported MAIL parameter",
            );
        }
        if reverse_path.needs_smtputf8() && !parameters.smtputf8 {
            // RFC 6531 §3.4: a non-ASCII path needs the SMTPUTF8 parameter.
            return self.error(
                ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                esc(5, 6, 7),
                "Non-ASCII address needs SMTPUTF8",
            );
        }
        self.ask(Pending::Mail {
            reverse_path,
            parameters,
        })
    }

    pub(super) fn rcpt(&mut self, forward_path: ForwardPath, parameters: RcptParameters) {
        let Some(t) = &self.transaction else {
            return self.bad_sequence("Need MAIL before RCPT");
        };
        if t.bdat {
            return self.bad_sequence("RCPT after BDAT");
        }
        if t.envelope.recipients.len() >= self.config.max_recipients {
            // RFC 5321 §4.5.3.1.10: 452 for too many recipients, and the client goes on.
            self.reply(
                ReplyCode::INSUFFICIENT_STORAGE,
                esc(4, 5, 3),
                "Too many recipients",
            );
            return;
        }
        let smtputf8 = t.envelope.parameters.iter().any(|p| p.is("SMTPUTF8"));
        let extras = parameters.extras();
        let unsupported = ((parameters.notify.is_some() || extras.orcpt.is_some())
            && !self.config.extensions.dsn)
            || extras.rrvs.is_some()
            || (!extras.other.is_empty() && !self.config.accept_unknown_parameters);
        if unsupported {
            return self.error(
                ReplyCode::PARAMETERS_NOT_RECOGNIZED,
                esc(5, 5, 4),
                "Unsupported RCPT parameter",
            );
        }
        if forward_path.needs_smtputf8() && !smtputf8 {
            return self.error(
                ReplyCode::MAILBOX_NAME_NOT_ALLOWED,
                esc(5, 6, 7),
                "Non-ASCII address needs SMTPUTF8",
            );
        }
        self.ask(Pending::Rcpt {
            forward_path,
            parameters,
        })
    }

    pub(super) fn starttls(&mut self) {
        if !self.config.extensions.starttls || self.tls_active {
            return self.error(
                ReplyCode::BAD_SEQUENCE,
                esc(5, 5, 1),
                "TLS already active or not available",
            );
        }
        if self.transaction.is_some() {
            return self.bad_sequence("STARTTLS inside a transaction");
        }
        self.ok_code(ReplyCode::SERVICE_READY, esc(2, 0, 0), "Ready to start TLS");
        self.phase = Phase::TlsHandshake;
        self.core.push_event(Event::StartTls);
        // RFC 3207 §4.2: "the server MUST discard any knowledge obtained from the client" —
        // and any bytes the client sent before the handshake.
        self.discard_input();
    }
}
