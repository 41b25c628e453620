//! The user's role: Admin (may import sessions from routers and edit
//! templates) or Coordinator (everything else). A new database starts as Admin
//! so a single user is never locked out. Switching to Coordinator is always
//! allowed; switching back to Admin asks for the Admin passphrase when one is
//! set. The passphrase lives only in the keyring; the database records only
//! that one is set, so a missing keyring cannot silently lift the guard.
//! Operations that need Admin call [`crate::Peerdesk::require_admin`].

use crate::audit::{self, AuditAction};
use crate::error::{Error, Result};
use crate::secrets::Secret;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The keyring key of the Admin passphrase.
pub const ADMIN_PASSPHRASE_SECRET: &str = "settings/admin-passphrase";

const MIN_PASSPHRASE: usize = 6;
const MAX_PASSPHRASE: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    Admin,
    Coordinator,
}

crate::values::text_enum!(Role {
    Admin => "admin", Coordinator => "coordinator"
});

impl Role {
    fn word(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Coordinator => "Coordinator",
        }
    }
}

/// The current role and whether switching to Admin needs the passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RoleStatus {
    pub role: Role,
    pub passphrase_set: bool,
}

fn get(conn: &Connection) -> Result<RoleStatus> {
    Ok(conn.query_row(
        "SELECT role, admin_passphrase_set FROM settings WHERE id = 1",
        [],
        |r| {
            Ok(RoleStatus {
                role: r.get(0)?,
                passphrase_set: r.get(1)?,
            })
        },
    )?)
}

fn put(conn: &Connection, s: &RoleStatus) -> Result<()> {
    conn.execute(
        "UPDATE settings SET role = ?1, admin_passphrase_set = ?2 WHERE id = 1",
        params![s.role, s.passphrase_set],
    )?;
    Ok(())
}

/// Compares without stopping at the first differing byte.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl crate::Peerdesk {
    pub fn get_role(&self) -> Result<RoleStatus> {
        get(&*self.db()?)
    }

    /// Refuses with `forbidden` unless the user is Admin; `what` names the
    /// action for the message ("Data Import", "Editing templates").
    pub fn require_admin(&self, what: &str) -> Result<()> {
        match get(&*self.db()?)?.role {
            Role::Admin => Ok(()),
            Role::Coordinator => Err(Error::Forbidden(format!(
                "{what} needs the Admin role; switch to Admin in Settings"
            ))),
        }
    }

    /// Switches the role. To Admin with a passphrase set, `passphrase` must
    /// match the one in the keyring (a wrong one is refused on the field
    /// `passphrase` and nothing changes).
    pub fn switch_role(&self, role: Role, passphrase: Option<&str>) -> Result<RoleStatus> {
        let old = self.get_role()?;
        if old.role == role {
            return Ok(old);
        }
        let mut new = old.clone();
        new.role = role;
        if role == Role::Admin && old.passphrase_set {
            match self.secrets().get(ADMIN_PASSPHRASE_SECRET)? {
                Some(stored) => {
                    let given = passphrase.unwrap_or("");
                    if given.is_empty() {
                        return Err(Error::invalid(
                            "passphrase",
                            "enter the Admin passphrase to switch to Admin",
                        ));
                    }
                    if !same(stored.expose(), given) {
                        return Err(Error::invalid(
                            "passphrase",
                            "that is not the Admin passphrase",
                        ));
                    }
                }
                // The keyring is the user's own: whoever can remove the entry
                // can also read it, so a lost entry must not lock them out.
                None => new.passphrase_set = false,
            }
        }
        self.save_role(&old, &new, &format!("Role switched to {}", role.word()))
    }

    /// Sets or changes the Admin passphrase (Admin only). Changing needs the
    /// current one (field `currentPassphrase`); the new one goes to the keyring.
    pub fn set_admin_passphrase(&self, current: Option<&str>, new: &str) -> Result<RoleStatus> {
        self.require_admin("Setting the Admin passphrase")?;
        let old = self.get_role()?;
        let len = new.chars().count();
        if !(MIN_PASSPHRASE..=MAX_PASSPHRASE).contains(&len) {
            return Err(Error::invalid(
                "newPassphrase",
                format!("a passphrase of {MIN_PASSPHRASE} to {MAX_PASSPHRASE} characters"),
            ));
        }
        if new.chars().any(char::is_control) {
            return Err(Error::invalid(
                "newPassphrase",
                "the passphrase cannot contain control characters",
            ));
        }
        if old.passphrase_set {
            self.check_current(current)?;
        }
        self.secrets()
            .set(ADMIN_PASSPHRASE_SECRET, &Secret::new(new))?;
        let mut status = old.clone();
        status.passphrase_set = true;
        let what = if old.passphrase_set {
            "Admin passphrase changed"
        } else {
            "Admin passphrase set"
        };
        self.save_role(&old, &status, what)
    }

    /// Removes the Admin passphrase (Admin only; needs the current one).
    pub fn clear_admin_passphrase(&self, current: &str) -> Result<RoleStatus> {
        self.require_admin("Clearing the Admin passphrase")?;
        let old = self.get_role()?;
        if !old.passphrase_set {
            return Ok(old);
        }
        self.check_current(Some(current))?;
        self.secrets().delete(ADMIN_PASSPHRASE_SECRET)?;
        let mut status = old.clone();
        status.passphrase_set = false;
        self.save_role(&old, &status, "Admin passphrase cleared")
    }

    fn check_current(&self, current: Option<&str>) -> Result<()> {
        let given = current.unwrap_or("");
        match self.secrets().get(ADMIN_PASSPHRASE_SECRET)? {
            Some(stored) if same(stored.expose(), given) => Ok(()),
            Some(_) if given.is_empty() => Err(Error::invalid(
                "currentPassphrase",
                "enter the current Admin passphrase",
            )),
            Some(_) => Err(Error::invalid(
                "currentPassphrase",
                "that is not the current Admin passphrase",
            )),
            // Lost from the keyring (see switch_role): nothing left to check.
            None => Ok(()),
        }
    }

    fn save_role(&self, old: &RoleStatus, new: &RoleStatus, summary: &str) -> Result<RoleStatus> {
        let now = self.now();
        let mut conn = self.db()?;
        let tx = conn.transaction()?;
        put(&tx, new)?;
        audit::record(
            &tx,
            &now,
            "settings",
            None,
            AuditAction::Update,
            summary,
            Some(old),
            Some(new),
        )?;
        tx.commit()?;
        Ok(new.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn same_compares_whole_strings() {
        assert!(same("correct horse", "correct horse"));
        assert!(!same("correct horse", "correct hors"));
        assert!(!same("correct horse", "correct house"));
        assert!(!same("", "x"));
    }
}
