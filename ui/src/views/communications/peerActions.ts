// The wrench of a peer in the Communications list, declared as data: one entry
// per PeerAction, labelled in the guide's words and shown only when core lists
// it in the row's `actions`. The view supplies what each action does.
import type { PeerAction } from '$lib/bindings/PeerAction';
import type { PeerRow } from '$lib/bindings/PeerRow';
import type { RowAction } from '$lib/components/actions';
import { PEER_ACTIONS, PEER_ACTION_LABELS } from './peerWords';

export interface PeerActionHandlers {
  /** Mark … and Reset Status: a status change core applies on its own. */
  apply: (peer: PeerRow, action: PeerAction) => void | Promise<void>;
  /** Send Request: opens the editor with core's draft. */
  sendRequest: (peer: PeerRow) => void | Promise<void>;
  /** Resend Request: opens the editor with core's draft (and its warning). */
  resendRequest: (peer: PeerRow) => void | Promise<void>;
  /** Configure Sessions: opens the modal with all of the peer's sessions and candidates. */
  configureSessions: (peer: PeerRow) => void;
}

const HINTS: Partial<Record<PeerAction, string>> = {
  sendRequest: 'Write the peering request email (prefilled from PeeringDB) and send it',
  resendRequest: 'Write the peering request again and send it',
  markExisting: 'Already peering: green check, no request emails',
  markNotQualified: 'Not a network you peer with',
  resetStatus: 'Back to the first choices',
  configureSessions: 'Configure all sessions of this peer at once, now or scheduled',
};

export function peerActions(h: PeerActionHandlers): RowAction<PeerRow>[] {
  return PEER_ACTIONS.map((id): RowAction<PeerRow> => {
    const base = {
      id,
      label: PEER_ACTION_LABELS[id],
      visible: (p: PeerRow) => p.actions.includes(id),
      hint: HINTS[id],
    };
    switch (id) {
      case 'sendRequest':
        return { ...base, run: (p) => h.sendRequest(p) };
      case 'resendRequest':
        return { ...base, run: (p) => h.resendRequest(p) };
      case 'configureSessions':
        return { ...base, run: (p) => h.configureSessions(p) };
      default:
        return { ...base, danger: id === 'resetStatus', run: (p) => h.apply(p, id) };
    }
  });
}
