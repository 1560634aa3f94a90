//! TLS setup for the examples: server certificates from PEM files or self-signed, and client
//! configurations that verify the server against the system's roots (plus a CA file if
//! given) with a host name check, or, only when asked with `--insecure`, accept anything.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::Error;

/// Returns the crypto provider every configuration here uses (ring).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Returns a server configuration with the certificate chain and key in the PEM files.
///
/// # Errors
/// When a file cannot be read or holds no certificate or key.
pub fn server_from_pem(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, Error> {
    let chain = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
    if chain.is_empty() {
        return Err(format!("no certificate in {}", cert.display()).into());
    }
    let key = PrivateKeyDer::from_pem_file(key)?;
    server(chain, key)
}

/// Returns a server configuration with a fresh self-signed certificate for `names`, and the
/// certificate in PEM form (so that a test client can trust it).
///
/// # Errors
/// When rcgen cannot make the certificate.
pub fn server_self_signed(names: &[String]) -> Result<(Arc<rustls::ServerConfig>, String), Error> {
    let certified = rcgen::generate_simple_self_signed(names.to_vec())?;
    let pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    Ok((server(vec![certified.cert.der().clone()], key)?, pem))
}

fn server(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, Error> {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

/// How a client checks the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify<'a> {
    /// Against the system's root certificates (`rustls-native-certs`), plus the CA
    /// certificates in the PEM file if one is given, with the host name checked.
    Roots(Option<&'a Path>),
    /// Not at all (`--insecure`): anyone on the path can read the password. For tests
    /// against a self-signed server only.
    Insecure,
}

/// The warning a client prints on stderr when told not to verify certificates.
pub const INSECURE_WARNING: &str = "warning: --insecure: the server's certificate is not verified; anyone on the path can \
     read the password and the mail";

/// Returns a client configuration that verifies servers as `verify` says.
///
/// # Errors
/// When the CA file cannot be read or holds no certificate, or no root certificate at all
/// is available.
pub fn client(verify: Verify<'_>) -> Result<Arc<rustls::ClientConfig>, Error> {
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?;
    let config = match verify {
        Verify::Roots(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            // Unreadable system certificates are skipped: the CA file may still do.
            let native = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(native.certs);
            if let Some(path) = ca {
                let mut added = 0;
                for cert in CertificateDer::pem_file_iter(path)? {
                    roots.add(cert?)?;
                    added += 1;
                }
                if added == 0 {
                    return Err(format!("no certificate in {}", path.display()).into());
                }
            }
            if roots.is_empty() {
                return Err(
                    "no root certificates: install the system's CA certificates or \
                            give --ca FILE"
                        .into(),
                );
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        Verify::Insecure => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnything(provider())))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// A verifier that accepts every certificate (signatures are still checked).
#[derive(Debug)]
struct AcceptAnything(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
