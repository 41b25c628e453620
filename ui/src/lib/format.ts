// Display words for the enum values core sends, and time formatting. Labels
// only: no state logic lives here.
import type { AdminState } from '$lib/bindings/AdminState';
import type { AuthMethod } from '$lib/bindings/AuthMethod';
import type { BgpState } from '$lib/bindings/BgpState';
import type { ConfigState } from '$lib/bindings/ConfigState';
import type { Platform } from '$lib/bindings/Platform';
import type { SessionType } from '$lib/bindings/SessionType';

export const SESSION_TYPES: readonly { value: SessionType; label: string }[] = [
  { value: 'peer', label: 'Peer' },
  { value: 'route_server', label: 'Route server' },
  { value: 'private', label: 'Private' },
  { value: 'customer', label: 'Customer' },
  { value: 'transit', label: 'Transit' },
];

export const PLATFORMS: readonly { value: Platform; label: string }[] = [
  { value: 'frr', label: 'FRRouting' },
  { value: 'bird2', label: 'BIRD 2' },
  { value: 'junos', label: 'Juniper Junos' },
  { value: 'iosxr', label: 'Cisco IOS XR' },
  { value: 'eos', label: 'Arista EOS' },
  { value: 'sros', label: 'Nokia SR OS' },
];

export const AUTH_METHODS: readonly { value: AuthMethod; label: string }[] = [
  { value: 'password', label: 'Password' },
  { value: 'key', label: 'SSH key' },
  { value: 'agent', label: 'SSH agent' },
];

export const CONFIG_STATES: readonly { value: ConfigState; label: string }[] = [
  { value: 'not_configured', label: 'Not configured' },
  { value: 'pending', label: 'Pending' },
  { value: 'configured', label: 'Configured' },
  { value: 'failed', label: 'Failed' },
];

export const BGP_STATES: readonly { value: BgpState; label: string }[] = [
  { value: 'established', label: 'Established' },
  { value: 'idle', label: 'Idle' },
  { value: 'connect', label: 'Connect' },
  { value: 'active', label: 'Active' },
  { value: 'open_sent', label: 'OpenSent' },
  { value: 'open_confirm', label: 'OpenConfirm' },
];

function labelOf<T extends string>(list: readonly { value: T; label: string }[], value: T): string {
  return list.find((item) => item.value === value)?.label ?? value;
}

export const sessionTypeLabel = (t: SessionType) => labelOf(SESSION_TYPES, t);
export const platformLabel = (p: Platform) => labelOf(PLATFORMS, p);
export const authMethodLabel = (a: AuthMethod) => labelOf(AUTH_METHODS, a);
export const configStateLabel = (c: ConfigState) => labelOf(CONFIG_STATES, c);
export const bgpStateLabel = (b: BgpState) => labelOf(BGP_STATES, b);
export const adminStateLabel = (a: AdminState) => (a === 'up' ? 'Enabled' : 'Shut down');

/** Pill colour for a state: which tone the status pill uses. */
export type Tone = 'good' | 'warn' | 'bad' | 'info' | 'neutral';

export function configStateTone(c: ConfigState): Tone {
  switch (c) {
    case 'configured':
      return 'good';
    case 'pending':
      return 'info';
    case 'failed':
      return 'bad';
    case 'not_configured':
      return 'neutral';
  }
}

export function bgpStateTone(b: BgpState): Tone {
  switch (b) {
    case 'established':
      return 'good';
    case 'idle':
      return 'bad';
    case 'active':
    case 'connect':
    case 'open_sent':
    case 'open_confirm':
      return 'warn';
  }
}

/** A timestamp from core as local date and time, e.g. "2025-03-04 14:05". */
export function formatTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** How long since `iso`, in the two largest units: "3d 4h", "5h 12m", "42s". */
export function formatUptime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '';
  const since = new Date(iso).getTime();
  if (Number.isNaN(since)) return '';
  const s = Math.max(0, Math.floor((now - since) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** A timestamp from core as its local date, e.g. "2025-03-04". */
export function formatDate(iso: string | null): string {
  return formatTime(iso).slice(0, 10);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A port speed PeeringDB gives in Mbit/s, as people say it ("10G", "100M"). */
export function formatSpeed(mbps: number | null): string {
  if (mbps === null || mbps <= 0) return '';
  return mbps >= 1000 ? `${(mbps / 1000).toLocaleString('en-US')}G` : `${mbps}M`;
}
