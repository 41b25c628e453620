// The wrench actions of a row in the Sessions list, declared as data in this one
// place. New per-session actions are added to this array; the view supplies
// what each action needs. The router-configuration actions (1 click config,
// Config Manager, Admin down / up, Remove from router) open their dialog
// through configDialogs, rendered by ConfigDialogHost in the Peering tab.
import type { SessionEmailKind } from '$lib/api/messaging';
import type { ConfigOperation } from '$lib/bindings/ConfigOperation';
import type { RowAction } from '$lib/components/actions';
import type { Session } from '$lib/bindings/Session';
import { configDialogs } from './configDialogs.svelte';
import { operationWords } from './configOperations';

export interface SessionActionHandlers {
  edit: (session: Session) => void;
  remove: (session: Session) => void | Promise<void>;
  networkDetail: (session: Session) => void;
  /** Opens the email editor with core's draft to the peer's NOC, policy or technical contact. */
  email: (session: Session, kind: SessionEmailKind) => void | Promise<void>;
  /**
   * Opens the preview-and-push dialog for a configuration operation (`editable`:
   * the Config Manager). Defaults to the Peering tab's ConfigDialogHost.
   */
  configure?: (session: Session, operation: ConfigOperation, editable: boolean) => void;
  /** Opens Configure Sessions limited to this session. Defaults to the Peering tab's ConfigDialogHost. */
  configureSessions?: (session: Session) => void;
}

const EMAILS: readonly { kind: SessionEmailKind; label: string; hint: string }[] = [
  { kind: 'noc', label: 'Email NOC', hint: "Write to the peer's NOC contact about this session" },
  { kind: 'policy', label: 'Email Policy', hint: "Write to the peer's policy contact about this session" },
  { kind: 'technical', label: 'Email Technical', hint: "Write to the peer's technical contact about this session" },
];

const ROUTER_ACTIONS: readonly {
  id: string;
  operation: ConfigOperation;
  editable: boolean;
  hint: string;
  danger?: boolean;
  /** Shown only for these sessions (default: all). */
  when?: (s: Session) => boolean;
}[] = [
  {
    id: 'one-click-config',
    operation: 'add',
    editable: false,
    hint: 'Preview and send the default configuration for this session to its router',
  },
  {
    id: 'config-manager',
    operation: 'add',
    editable: true,
    hint: 'Preview and send the configuration with one-time settings (never saved)',
  },
  {
    id: 'update-on-router',
    operation: 'update',
    editable: true,
    hint: "Bring the router's neighbour in line with Peerdesk: peer group, max-prefix, MD5, description, policies",
    when: (s) => s.configState === 'configured',
  },
  { id: 'admin-down', operation: 'shutdown', editable: false, hint: 'Shut the session down on the router' },
  { id: 'admin-up', operation: 'enable', editable: false, hint: 'Enable the session on the router again' },
  {
    id: 'remove-from-router',
    operation: 'remove',
    editable: false,
    danger: true,
    hint: "Remove the neighbour from the router's configuration; the session stays in Peerdesk",
  },
];

export function sessionActions(h: SessionActionHandlers): RowAction<Session>[] {
  const configure =
    h.configure ??
    ((s: Session, operation: ConfigOperation, editable: boolean) => configDialogs.openPush(s, operation, editable));
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
    ...ROUTER_ACTIONS.map(
      (a): RowAction<Session> => ({
        id: a.id,
        label: operationWords(a.operation, a.editable).title,
        visible: (s) => a.when?.(s) ?? true,
        hint: a.hint,
        danger: a.danger,
        run: (s) => configure(s, a.operation, a.editable),
      }),
    ),
    {
      id: 'configure-sessions',
      label: 'Configure Sessions',
      visible: () => true,
      hint: 'Choose router, peer group and peer type, then configure now or schedule',
      run: (s) => (h.configureSessions ?? ((x: Session) => configDialogs.openConfigureSessions(x.asn, x.id)))(s),
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
      hint: 'Removes the session from the inventory, and from its router when you confirm',
      run: (s) => h.remove(s),
    },
  ];
}
