//! A TCP connection that may be upgraded to TLS in the middle (STARTTLS, STLS).

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// A plain or TLS connection.
#[derive(Debug)]
pub enum Stream {
    /// Plain TCP.
    Plain(TcpStream),
    /// TLS, server side.
    Server(Box<tokio_rustls::server::TlsStream<TcpStream>>),
    /// TLS, client side.
    Client(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl Stream {
    /// Runs the server side of a TLS handshake over a plain connection.
    ///
    /// # Errors
    /// When the handshake fails or the connection is already TLS.
    pub async fn accept_tls(self, config: Arc<rustls::ServerConfig>) -> io::Result<Self> {
        match self {
            Self::Plain(tcp) => Ok(Self::Server(Box::new(
                TlsAcceptor::from(config).accept(tcp).await?,
            ))),
            _ => Err(io::Error::other("already TLS")),
        }
    }

    /// Runs the client side of a TLS handshake over a plain connection.
    ///
    /// # Errors
    /// When the handshake fails, `host` is no valid server name, or the connection is
    /// already TLS.
    pub async fn connect_tls(
        self,
        config: Arc<rustls::ClientConfig>,
        host: &str,
    ) -> io::Result<Self> {
        let name = ServerName::try_from(host.to_owned()).map_err(io::Error::other)?;
        match self {
            Self::Plain(tcp) => Ok(Self::Client(Box::new(
                TlsConnector::from(config).connect(name, tcp).await?,
            ))),
            _ => Err(io::Error::other("already TLS")),
        }
    }

    /// Returns whether the connection is TLS.
    pub fn is_tls(&self) -> bool {
        !matches!(self, Self::Plain(_))
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Server(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Self::Client(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Server(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Self::Client(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Server(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Self::Client(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Server(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Self::Client(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
