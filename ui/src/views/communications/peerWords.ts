// Display words and look of the values core sends for the Communications list:
// peer status (label, icon, tone), peer actions (the guide's words), message
// kinds and the PeeringDB general policies offered as a filter. Labels only:
// which actions are open and where they lead is decided by core.
import type { IconName } from '$lib/components/Icon.svelte';
import type { MessageKind } from '$lib/bindings/MessageKind';
import type { MessageState } from '$lib/bindings/MessageState';
import type { PeerAction } from '$lib/bindings/PeerAction';
import type { PeerStatus } from '$lib/bindings/PeerStatus';
import type { Tone } from '$lib/format';

export interface StatusLook {
  label: string;
  icon: IconName;
  tone: Tone;
}

export const PEER_STATUSES: readonly { value: PeerStatus; look: StatusLook }[] = [
  { value: 'new', look: { label: 'New', icon: 'dot', tone: 'neutral' } },
  { value: 'existing', look: { label: 'Existing', icon: 'check', tone: 'good' } },
  { value: 'not_qualified', look: { label: 'Not Qualified', icon: 'ban', tone: 'bad' } },
  { value: 'request_sent', look: { label: 'Request Sent', icon: 'mail-out', tone: 'info' } },
  { value: 'request_received', look: { label: 'Request Received', icon: 'mail-in', tone: 'warn' } },
  { value: 'approved', look: { label: 'Approved', icon: 'check-circle', tone: 'good' } },
  { value: 'rejected', look: { label: 'Rejected', icon: 'x-circle', tone: 'bad' } },
];

export function statusLook(status: PeerStatus): StatusLook {
  return (
    PEER_STATUSES.find((s) => s.value === status)?.look ?? { label: status, icon: 'dot', tone: 'neutral' }
  );
}

/** The wrench labels, in the user guide's words. */
export const PEER_ACTION_LABELS: Record<PeerAction, string> = {
  markExisting: 'Mark Existing',
  markNotQualified: 'Mark Not Qualified',
  sendRequest: 'Send Request',
  resendRequest: 'Resend Request',
  markRequestReceived: 'Mark Request Received',
  markApproved: 'Mark Approved',
  markRejected: 'Mark Rejected',
  resetStatus: 'Reset Status',
  configureSessions: 'Configure Sessions',
};

/** Menu order (the order core lists them in). */
export const PEER_ACTIONS = Object.keys(PEER_ACTION_LABELS) as PeerAction[];

export const MESSAGE_KIND_LABELS: Record<MessageKind, string> = {
  request: 'Send Request',
  resend: 'Resend Request',
  noc: 'Email NOC',
  policy: 'Email Policy',
  technical: 'Email Technical',
};

export const MESSAGE_STATE_LABELS: Record<MessageState, string> = {
  queued: 'Queued',
  sent: 'Sent',
  failed: 'Not sent',
};

/** PeeringDB's general peering policies (`policy_general`). */
export const POLICIES: readonly string[] = ['Open', 'Selective', 'Restrictive', 'No'];
