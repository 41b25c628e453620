//! Native file dialogs (tauri-plugin-dialog). The page never touches the file
//! system: it asks for a path here and hands the path to a core command.
//! `PEERDESK_TEST_DIALOG_DIR` replaces the dialog with a fixed file in that
//! folder, because WebDriver cannot drive a native dialog.

use serde::Deserialize;
use tauri_plugin_dialog::DialogExt;

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FilePurpose {
    ExportInventory,
    ImportInventory,
    ExportSessionsCsv,
    SshKey,
}

impl FilePurpose {
    fn test_file_name(self) -> &'static str {
        match self {
            FilePurpose::ExportInventory | FilePurpose::ImportInventory => "inventory.json",
            FilePurpose::ExportSessionsCsv => "sessions.csv",
            FilePurpose::SshKey => "id_test",
        }
    }
}

/// Asks the user for a file; `None` when they cancel.
#[tauri::command(async)]
pub fn pick_file<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    purpose: FilePurpose,
) -> Option<String> {
    if let Some(dir) = std::env::var_os("PEERDESK_TEST_DIALOG_DIR") {
        let path = std::path::Path::new(&dir).join(purpose.test_file_name());
        return Some(path.to_string_lossy().into_owned());
    }
    let dialog = app.dialog().file();
    let picked = match purpose {
        FilePurpose::ExportInventory => dialog
            .set_title("Export inventory")
            .set_file_name("peerdesk-inventory.json")
            .add_filter("Peerdesk inventory", &["json"])
            .blocking_save_file(),
        FilePurpose::ImportInventory => dialog
            .set_title("Import inventory")
            .add_filter("Peerdesk inventory", &["json"])
            .blocking_pick_file(),
        FilePurpose::ExportSessionsCsv => dialog
            .set_title("Export sessions")
            .set_file_name("sessions.csv")
            .add_filter("CSV", &["csv"])
            .blocking_save_file(),
        FilePurpose::SshKey => dialog
            .set_title("Choose the SSH private key")
            .set_directory(dirs_home().join(".ssh"))
            .blocking_pick_file(),
    };
    picked
        .and_then(|p| p.into_path().ok())
        .map(|p| p.to_string_lossy().into_owned())
}

fn dirs_home() -> std::path::PathBuf {
    std::env::var_os("HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_default()
}
