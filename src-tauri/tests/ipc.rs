//! The IPC surface as the page sees it: real command handlers behind Tauri's
//! mock runtime, answering JSON the way `invoke` receives it.

use peerdesk_core::clock::SystemClock;
use peerdesk_core::secrets::MemorySecretStore;
use peerdesk_core::Peerdesk;
use serde_json::{json, Value};
use std::sync::Arc;
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};

fn app() -> (
    tauri::App<tauri::test::MockRuntime>,
    tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    let core =
        Peerdesk::in_memory(Arc::new(MemorySecretStore::new()), Arc::new(SystemClock)).unwrap();
    let app = mock_builder()
        .manage(core)
        .invoke_handler(peerdesk_app::handlers())
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, webview)
}

fn invoke(
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

#[test]
fn a_refused_input_reaches_the_page_as_kind_message_and_field() {
    let (_app, w) = app();
    let err = invoke(&w, "check_asn", json!({ "text": "0" })).unwrap_err();
    assert_eq!(
        err,
        json!({
            "kind": "invalid",
            "message": "ASN 0 is out of range: an ASN is between 1 and 4294967294",
            "field": "asn"
        }),
        "the UI branches on kind and places the message by field; this shape is the contract"
    );
}

#[test]
fn a_missing_record_is_not_found_without_a_field() {
    let (_app, w) = app();
    let err = invoke(&w, "delete_session", json!({ "id": 42 })).unwrap_err();
    assert_eq!(
        err,
        json!({ "kind": "notFound", "message": "session 42 does not exist", "field": null })
    );
}

#[test]
fn commands_take_camel_case_arguments_and_return_camel_case_records() {
    let (_app, w) = app();
    let ex = invoke(
        &w,
        "add_exchange",
        json!({ "exchange": { "name": "Example IX", "prefixV4": "192.0.2.0/24" } }),
    )
    .unwrap();
    assert_eq!(ex["prefixV4"], "192.0.2.0/24");
    let router = invoke(
        &w,
        "add_router",
        json!({ "router": {
            "name": "edge1", "mgmtAddress": "192.0.2.250", "sshPort": 22, "platform": "frr",
            "username": "peerdesk", "authMethod": "agent", "localAsn": "AS64496",
            "attachments": [{ "exchangeId": ex["id"], "ipv4": "192.0.2.1" }],
            "newPeerGroup": { "name": "IX-V4", "family": "ipv4", "sessionType": "peer" }
        }}),
    )
    .unwrap();
    assert_eq!(router["localAsn"], 64496);
    let groups = invoke(&w, "list_peer_groups", json!({})).unwrap();
    let created = invoke(
        &w,
        "add_session",
        json!({ "session": {
            "sessionType": "peer", "exchangeId": ex["id"], "routerId": router["id"],
            "asn": "64500", "peerName": "Example Peer", "peerIpv4": "192.0.2.10",
            "peerGroupV4": groups[0]["id"]
        }}),
    )
    .unwrap();
    assert_eq!(created[0]["configState"], "not_configured");
    let listed = invoke(
        &w,
        "list_sessions",
        json!({ "filter": { "exchangeId": ex["id"] } }),
    )
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let dup = invoke(
        &w,
        "add_session",
        json!({ "session": {
            "sessionType": "peer", "exchangeId": ex["id"], "routerId": router["id"],
            "asn": "64501", "peerName": "Other", "peerIpv4": "192.0.2.10"
        }}),
    )
    .unwrap_err();
    assert_eq!(
        (dup["kind"].as_str(), dup["field"].as_str()),
        (Some("conflict"), Some("peerIpv4"))
    );
}

#[test]
fn the_file_picker_returns_the_test_folder_file_instead_of_a_dialog_under_test() {
    let (_app, w) = app();
    let dir = std::env::temp_dir().join("peerdesk-ipc-dialog-test");
    std::env::set_var("PEERDESK_TEST_DIALOG_DIR", &dir);
    let path = invoke(&w, "pick_file", json!({ "purpose": "exportSessionsCsv" })).unwrap();
    assert_eq!(path, json!(dir.join("sessions.csv").to_string_lossy()));
    let bad = invoke(&w, "pick_file", json!({ "purpose": "somethingElse" }));
    assert!(bad.is_err(), "an unknown purpose is refused");
}

#[test]
fn a_coordinator_is_refused_data_import_as_forbidden_and_the_passphrase_never_comes_back() {
    let (_app, w) = app();
    let set = invoke(
        &w,
        "set_admin_passphrase",
        json!({ "passphrase": "ipc test passphrase" }),
    )
    .unwrap();
    assert_eq!(set, json!({ "role": "admin", "passphraseSet": true }));
    invoke(&w, "switch_role", json!({ "role": "coordinator" })).unwrap();

    let err = invoke(&w, "scan_router_sessions", json!({ "routerId": 1 })).unwrap_err();
    assert_eq!(
        (err["kind"].as_str(), err["field"].as_str()),
        (Some("forbidden"), None),
        "{err}"
    );
    let wrong = invoke(
        &w,
        "switch_role",
        json!({ "role": "admin", "passphrase": "guess" }),
    )
    .unwrap_err();
    assert_eq!(
        (wrong["kind"].as_str(), wrong["field"].as_str()),
        (Some("invalid"), Some("passphrase"))
    );
    let back = invoke(
        &w,
        "switch_role",
        json!({ "role": "admin", "passphrase": "ipc test passphrase" }),
    )
    .unwrap();
    assert_eq!(back, json!({ "role": "admin", "passphraseSet": true }));
    assert!(!invoke(&w, "get_role", json!({}))
        .unwrap()
        .to_string()
        .contains("ipc test passphrase"));
}

#[test]
fn delete_from_the_router_takes_a_session_id_and_deletes_nothing_it_cannot_find() {
    let (_app, w) = app();
    let err = invoke(
        &w,
        "delete_session_from_router",
        json!({ "sessionId": 42, "waitSeconds": 1 }),
    )
    .unwrap_err();
    assert_eq!(
        err,
        json!({ "kind": "notFound", "message": "session 42 does not exist", "field": null })
    );
}

#[test]
fn push_or_queue_takes_the_push_dialogs_arguments_and_finds_no_missing_session() {
    let (_app, w) = app();
    let err = invoke(
        &w,
        "push_or_queue",
        json!({ "sessionId": 42, "operation": "add", "overrides": {}, "waitSeconds": 1 }),
    )
    .unwrap_err();
    assert_eq!(
        err,
        json!({ "kind": "notFound", "message": "session 42 does not exist", "field": null }),
        "the arguments were read (a misnamed one fails before core is asked)"
    );
}
