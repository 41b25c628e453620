//! With no reachable Secret Service the keyring store reports itself
//! unavailable and refuses secret operations with `keyringUnavailable`, so the
//! app can say so and keep working. Its own test binary because it changes the
//! process environment.

use peerdesk_app::keyring_store::KeyringStore;
use peerdesk_core::secrets::{Secret, SecretStore};
use peerdesk_core::ErrorKind;

#[test]
fn without_a_session_bus_the_keyring_reports_unavailable_instead_of_failing_hard() {
    // A bus address that cannot exist: the store must say "unavailable", not panic.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        "unix:path=/nonexistent/peerdesk-test-bus",
    );
    let store = KeyringStore::new("peerdesk-test-nobus");
    let status = store.status();
    let err = store.set("k", &Secret::new("v")).unwrap_err();
    assert!(!status.available);
    assert_eq!(
        peerdesk_core::Error::from(err).kind(),
        ErrorKind::KeyringUnavailable
    );
}
