// The peer group form's values as typed, their defaults, and the NewPeerGroup
// they become. Shared by the standalone dialog and the Add Router dialog.
import type { AddressFamily } from '$lib/bindings/AddressFamily';
import type { NewPeerGroup } from '$lib/bindings/NewPeerGroup';
import type { PeerGroup } from '$lib/bindings/PeerGroup';
import type { SessionType } from '$lib/bindings/SessionType';
import { optionalNumber } from '$lib/forms';

export interface PeerGroupForm {
  name: string;
  /** "" = not tied to one exchange. */
  exchangeId: string;
  family: AddressFamily;
  importPolicy: string;
  exportPolicy: string;
  maxPrefix: string;
  sessionType: SessionType;
}

export function peerGroupForm(group?: PeerGroup | null): PeerGroupForm {
  return {
    name: group?.name ?? '',
    exchangeId: group?.exchangeId != null ? String(group.exchangeId) : '',
    family: group?.family ?? 'ipv4',
    importPolicy: group?.importPolicy ?? '',
    exportPolicy: group?.exportPolicy ?? '',
    maxPrefix: group?.maxPrefix != null ? String(group.maxPrefix) : '',
    sessionType: group?.sessionType ?? 'peer',
  };
}

export function toNewPeerGroup(form: PeerGroupForm, routerId?: number): NewPeerGroup {
  return {
    routerId,
    name: form.name.trim(),
    exchangeId: optionalNumber(form.exchangeId),
    family: form.family,
    importPolicy: form.importPolicy.trim(),
    exportPolicy: form.exportPolicy.trim(),
    maxPrefix: optionalNumber(form.maxPrefix),
    sessionType: form.sessionType,
  };
}
