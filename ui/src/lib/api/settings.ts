// Typed calls for the settings commands (own ASNs, organisation, coordinator, ASN
// checks) and the role (Admin / Coordinator) with its optional Admin passphrase.
import type { AsnInfo } from '$lib/bindings/AsnInfo';
import type { Role } from '$lib/bindings/Role';
import type { RoleStatus } from '$lib/bindings/RoleStatus';
import type { Settings } from '$lib/bindings/Settings';
import type { SettingsChanges } from '$lib/bindings/SettingsChanges';
import { call } from './invoke';

export const getSettings = () => call<Settings>('get_settings');

export const updateSettings = (changes: SettingsChanges) =>
  call<Settings>('update_settings', { changes });

export const checkAsn = (text: string) => call<AsnInfo>('check_asn', { text });

export const getRole = () => call<RoleStatus>('get_role');

/** Switches the role; `passphrase` is needed to switch to Admin when one is set. */
export const switchRole = (role: Role, passphrase?: string) =>
  call<RoleStatus>('switch_role', passphrase === undefined ? { role } : { role, passphrase });

/** Sets (or, with `current`, changes) the Admin passphrase; Admin only. */
export const setAdminPassphrase = (passphrase: string, current?: string) =>
  call<RoleStatus>('set_admin_passphrase', current === undefined ? { passphrase } : { passphrase, current });

/** Removes the Admin passphrase; Admin only, needs the current one. */
export const clearAdminPassphrase = (current: string) => call<RoleStatus>('clear_admin_passphrase', { current });
