// The wrench actions of a row in the Sessions list, declared as data in this one
// place. New per-session actions (1 click config, Config Manager, ...) are
// added to this array; the view supplies what each action needs.
import type { SessionEmailKind } from '$lib/api/messaging';
import type { RowAction } from '$lib/components/actions';
import type { Session } from '$lib/bindings/Session';

export interface SessionActionHandlers {
  edit: (session: Session) => void;
  remove: (session: Session) => void | Promise<void>;
  networkDetail: (session: Session) => void;
  /** Opens the email editor with core's draft to the peer's NOC, policy or technical contact. */
  email: (session: Session, kind: SessionEmailKind) => void | Promise<void>;
}

const EMAILS: readonly { kind: SessionEmailKind; label: string; hint: string }[] = [
  { kind: 'noc', label: 'Email NOC', hint: "Write to the peer's NOC contact about this session" },
  { kind: 'policy', label: 'Email Policy', hint: "Write to the peer's policy contact about this session" },
  { kind: 'technical', label: 'Email Technical', hint: "Write to the peer's technical contact about this session" },
];

export function sessionActions(h: SessionActionHandlers): RowAction<Session>[] {
  return [
    {
      id: 'edit',
      label: 'Edit',
      visible: () => true,
      run: (s) => h.edit(s),
    },
    {
      id: 'network-detail',
      label: 'Network detail',
      visible: () => true,
      hint: "The peer's PeeringDB record, exchanges, contacts and sessions",
      run: (s) => h.networkDetail(s),
    },
    ...EMAILS.map(
      (e): RowAction<Session> => ({
        id: `email-${e.kind}`,
        label: e.label,
        visible: () => true,
        hint: e.hint,
        run: (s) => h.email(s, e.kind),
      }),
    ),
    {
      id: 'delete',
      label: 'Delete',
      danger: true,
      visible: () => true,
      hint: 'Removes the session from the inventory',
      run: (s) => h.remove(s),
    },
  ];
}
