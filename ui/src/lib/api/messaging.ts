// Typed calls for the messaging commands: the Communications list (peers and
// their peering status, actions, history), email drafts from core's templates,
// sending (sent, or queued in the outbox when the server cannot be reached),
// the outbox, and the SMTP settings. Core drafts the text and decides every
// status change; these functions only carry the arguments of the contract.
import type { EmailDraft } from '$lib/bindings/EmailDraft';
import type { HistoryEntry } from '$lib/bindings/HistoryEntry';
import type { PeerAction } from '$lib/bindings/PeerAction';
import type { PeerFilter } from '$lib/bindings/PeerFilter';
import type { PeerRow } from '$lib/bindings/PeerRow';
import type { PeerStatus } from '$lib/bindings/PeerStatus';
import type { SendOutcome } from '$lib/bindings/SendOutcome';
import type { SmtpSettings } from '$lib/bindings/SmtpSettings';
import type { SmtpSettingsChanges } from '$lib/bindings/SmtpSettingsChanges';
import type { StoredMessage } from '$lib/bindings/StoredMessage';
import { call } from './invoke';

/** The kinds of contact email drafted for a session. */
export type SessionEmailKind = 'noc' | 'policy' | 'technical';

/** Each row carries `actions`: the actions core opens from its status. */
export const listPeers = (filter: PeerFilter) => call<PeerRow[]>('list_peers', { filter });

/** Mark … and Reset Status; rejects with kind invalid when the action is not open. */
export const applyPeerAction = (asn: number, action: PeerAction) =>
  call<PeerStatus>('apply_peer_action', { asn, action });

/** Every status change and email of the peer, newest first. */
export const peerHistory = (asn: number) => call<HistoryEntry[]>('peer_history', { asn });

export const listMessages = (asn: number) => call<StoredMessage[]>('list_messages', { asn });

/** The messages waiting for the mail server. */
export const listOutbox = () => call<StoredMessage[]>('list_outbox');

/** Send Request, prefilled from PeeringDB and the settings. */
export const draftRequest = (asn: number) => call<EmailDraft>('draft_request', { asn });

/** Resend Request; `warning` is set inside the cool-down. */
export const draftResend = (asn: number) => call<EmailDraft>('draft_resend', { asn });

export const draftSessionEmail = (sessionId: number, kind: SessionEmailKind) =>
  call<EmailDraft>('draft_session_email', { sessionId, kind });

/**
 * Sent, or queued when the server cannot be reached (`message.state`). Rejects
 * with invalid (field to/cc/bcc/subject/body), authFailed or rejected.
 */
export const sendEmail = (draft: EmailDraft) => call<SendOutcome>('send_email', { draft });

/** Tries the outbox now; resolves with how many went out. */
export const drainOutbox = () => call<number>('drain_outbox');

export const getSmtpSettings = () => call<SmtpSettings>('get_smtp_settings');

export const updateSmtpSettings = (changes: SmtpSettingsChanges) =>
  call<SmtpSettings>('update_smtp_settings', { changes });
