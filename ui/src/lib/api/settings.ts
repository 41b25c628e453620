// Typed calls for the settings commands (own ASNs, organisation, coordinator, ASN checks).
import type { AsnInfo } from '$lib/bindings/AsnInfo';
import type { Settings } from '$lib/bindings/Settings';
import type { SettingsChanges } from '$lib/bindings/SettingsChanges';
import { call } from './invoke';

export const getSettings = () => call<Settings>('get_settings');

export const updateSettings = (changes: SettingsChanges) =>
  call<Settings>('update_settings', { changes });

export const checkAsn = (text: string) => call<AsnInfo>('check_asn', { text });
