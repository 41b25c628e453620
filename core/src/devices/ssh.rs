//! SSH to routers with `ssh2` (blocking; callers run it on a blocking thread):
//! host keys checked against the one the user trusted (trust on first use, the
//! key type pinned so a server offering another type is not mistaken for a
//! changed key), password / key file / agent authentication, timeouts on every
//! call, and a session reused for all commands of one job.

use crate::error::{Error, Result};
use crate::secrets::Secret;
use serde::Serialize;
use ssh2::{HashType, HostKeyType, MethodType, Session};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;
use ts_rs::TS;

/// How to log in.
pub enum SshAuth {
    Password(Secret),
    Key {
        path: String,
        passphrase: Option<Secret>,
    },
    Agent,
}

pub struct SshTarget {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub auth: SshAuth,
    pub timeout: Duration,
}

/// A server's host key as presented in the handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HostKey {
    /// OpenSSH's name, e.g. `ssh-ed25519`.
    pub key_type: String,
    /// `SHA256:…`, as `ssh-keygen -lf` shows it.
    pub fingerprint: String,
    #[serde(skip)]
    pub key_base64: String,
}

/// What a command printed and how it ended.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct RouterSession {
    session: Session,
}

fn key_type_name(t: HostKeyType) -> &'static str {
    match t {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        HostKeyType::Unknown => "unknown",
    }
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unreachable(target: &SshTarget, why: impl std::fmt::Display) -> Error {
    Error::Unreachable(format!(
        "{}:{} cannot be reached: {why}",
        target.host, target.port
    ))
}

fn handshake(target: &SshTarget, pinned_type: Option<&str>) -> Result<(Session, HostKey)> {
    let addr = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| unreachable(target, e))?
        .next()
        .ok_or_else(|| unreachable(target, "no address"))?;
    let tcp =
        TcpStream::connect_timeout(&addr, target.timeout).map_err(|e| unreachable(target, e))?;
    let mut session = Session::new().map_err(|e| Error::Internal(e.to_string()))?;
    session.set_timeout(target.timeout.as_millis().min(u128::from(u32::MAX)) as u32);
    session.set_tcp_stream(tcp);
    if let Some(t) = pinned_type {
        // Ask for the trusted key's type only: a server that also has another
        // type must not look like a changed key.
        // An RSA key is offered under its SHA-2 signature names by current
        // OpenSSH; `ssh-rsa` alone would be refused.
        let methods = if t == "ssh-rsa" {
            "rsa-sha2-512,rsa-sha2-256,ssh-rsa"
        } else {
            t
        };
        session
            .method_pref(MethodType::HostKey, methods)
            .map_err(|e| Error::Internal(e.to_string()))?;
    }
    session
        .handshake()
        .map_err(|e| unreachable(target, format!("SSH handshake failed ({e})")))?;
    let (key, kind) = session
        .host_key()
        .ok_or_else(|| Error::Rejected("the router presented no host key".into()))?;
    let hash = session
        .host_key_hash(HashType::Sha256)
        .ok_or_else(|| Error::Rejected("the router's host key could not be hashed".into()))?;
    let fingerprint = format!("SHA256:{}", b64(hash).trim_end_matches('='));
    let host_key = HostKey {
        key_type: key_type_name(kind).to_string(),
        fingerprint,
        key_base64: b64(key),
    };
    Ok((session, host_key))
}

/// Reads the router's host key without logging in, for the user to compare.
pub fn probe_host_key(target: &SshTarget, pinned_type: Option<&str>) -> Result<HostKey> {
    handshake(target, pinned_type).map(|(_, k)| k)
}

impl RouterSession {
    /// Connects, checks the host key against `trusted` and logs in. With no
    /// trusted key the connection is refused with the key to show the user.
    pub fn connect(target: &SshTarget, trusted: Option<&HostKey>) -> Result<RouterSession> {
        let (session, key) = handshake(target, trusted.map(|k| k.key_type.as_str()))?;
        match trusted {
            None => {
                return Err(Error::HostKeyUnknown {
                    key_type: key.key_type,
                    fingerprint: key.fingerprint,
                })
            }
            Some(t) if t.key_base64 != key.key_base64 => {
                return Err(Error::HostKeyMismatch {
                    key_type: key.key_type,
                    fingerprint: key.fingerprint,
                    trusted: t.fingerprint.clone(),
                })
            }
            Some(_) => {}
        }
        let auth = match &target.auth {
            SshAuth::Password(p) => session.userauth_password(&target.user, p.expose()),
            SshAuth::Key { path, passphrase } => session.userauth_pubkey_file(
                &target.user,
                None,
                Path::new(path),
                passphrase.as_ref().map(Secret::expose),
            ),
            SshAuth::Agent => session.userauth_agent(&target.user),
        };
        if auth.is_err() || !session.authenticated() {
            let why = auth.err().map(|e| e.to_string()).unwrap_or_default();
            return Err(Error::AuthFailed(format!(
                "the router refused the login of {} ({})",
                target.user,
                translate(&why)
            )));
        }
        Ok(RouterSession { session })
    }

    /// Runs one command on an exec channel.
    pub fn exec(&self, command: &str) -> Result<Output> {
        let lost = |e: &dyn std::fmt::Display| Error::ConnectionLost {
            message: format!("the connection to the router was lost: {e}"),
            restored: false,
        };
        let mut ch = self.session.channel_session().map_err(|e| lost(&e))?;
        ch.exec(command).map_err(|e| lost(&e))?;
        let mut stdout = String::new();
        ch.read_to_string(&mut stdout).map_err(|e| lost(&e))?;
        let mut stderr = String::new();
        ch.stderr()
            .read_to_string(&mut stderr)
            .map_err(|e| lost(&e))?;
        ch.wait_close().map_err(|e| lost(&e))?;
        let status = ch.exit_status().map_err(|e| lost(&e))?;
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Writes a file by SFTP: a temporary name first, then a rename, so a
    /// half-written file is never read by the router.
    pub fn upload(&self, path: &str, bytes: &[u8]) -> Result<()> {
        let lost = |e: &dyn std::fmt::Display| Error::ConnectionLost {
            message: format!("the upload to the router failed: {e}"),
            restored: false,
        };
        let sftp = self.session.sftp().map_err(|e| lost(&e))?;
        let tmp = format!("{path}.peerdesk-tmp");
        {
            let mut f = sftp.create(Path::new(&tmp)).map_err(|e| lost(&e))?;
            f.write_all(bytes).map_err(|e| lost(&e))?;
        }
        let _ = sftp.unlink(Path::new(path));
        sftp.rename(Path::new(&tmp), Path::new(path), None)
            .map_err(|e| lost(&e))?;
        Ok(())
    }

    /// Removes a file by SFTP; a file that is not there is not an error.
    pub fn remove(&self, path: &str) -> Result<()> {
        let sftp = self
            .session
            .sftp()
            .map_err(|e| Error::Unreachable(format!("SFTP failed: {e}")))?;
        let _ = sftp.unlink(Path::new(path));
        Ok(())
    }

    /// Reads a file by SFTP; `None` when it does not exist.
    pub fn read(&self, path: &str) -> Result<Option<String>> {
        let sftp = self
            .session
            .sftp()
            .map_err(|e| Error::Unreachable(format!("SFTP failed: {e}")))?;
        match sftp.open(Path::new(path)) {
            Ok(mut f) => {
                let mut s = String::new();
                f.read_to_string(&mut s)
                    .map_err(|e| Error::Unreachable(e.to_string()))?;
                Ok(Some(s))
            }
            Err(_) => Ok(None),
        }
    }
}

/// libssh2's messages say little; these are what they mean to a person.
fn translate(e: &str) -> String {
    if e.contains("-16") {
        "the key file needs its passphrase, or the passphrase is wrong".into()
    } else if e.contains("-18") {
        "wrong username or password".into()
    } else if e.is_empty() {
        "authentication failed".into()
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(super::b64(b"f"), "Zg==");
        assert_eq!(super::b64(b"fo"), "Zm8=");
        assert_eq!(super::b64(b"foo"), "Zm9v");
        assert_eq!(super::b64(&[0xfb, 0xff]), "+/8=");
    }
}
