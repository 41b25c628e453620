//! IPC commands, one file per core domain, each a thin call into `peerdesk-core`.
//! Errors cross IPC as `CommandError { kind, message, field }`.

pub mod audit;
pub mod devices;
pub mod dialogs;
pub mod jobs;
pub mod messaging;
pub mod peering;
pub mod peeringdb;
pub mod secrets;
pub mod settings;
pub mod sync;
pub mod templating;

pub type Core<'a> = tauri::State<'a, peerdesk_core::Peerdesk>;
pub type CmdResult<T> = Result<T, peerdesk_core::CommandError>;
