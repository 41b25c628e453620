// The wrench actions of a row in the Sessions list, declared as data in this one
// place. New per-session actions (1 click config, Config Manager, ...) are
// added to this array; the view supplies what each action needs.
import type { RowAction } from '$lib/components/actions';
import type { Session } from '$lib/bindings/Session';

export interface SessionActionHandlers {
  edit: (session: Session) => void;
  remove: (session: Session) => void | Promise<void>;
  networkDetail: (session: Session) => void;
}

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
