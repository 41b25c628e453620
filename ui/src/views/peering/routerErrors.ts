// How a failed router command reads to the user: a headline and advice per
// error kind (the UI branches on kind, never on message text), and the two
// fingerprints of a changed host key, picked out of core's message for display.
import type { ApiError } from '$lib/api/invoke';
import type { ErrorKind } from '$lib/bindings/ErrorKind';

const HEADLINES: Partial<Record<ErrorKind, string>> = {
  unreachable: 'Could not reach the router',
  authFailed: 'The router refused the login',
  connectionLost: 'The connection to the router dropped during the change',
  hostKeyUnknown: "The router's host key is not trusted yet",
  hostKeyMismatch: "The router's host key changed",
  rejected: 'The router answered with an error',
  keyringUnavailable: 'The keyring is not available',
  invalid: 'The change cannot be made',
  notFound: 'Not found',
  forbidden: 'This needs the Admin role',
};

const ADVICE: Partial<Record<ErrorKind, string>> = {
  unreachable: "Check the router's management address and SSH port, and that it is up and reachable from here.",
  authFailed: "Check the router's username and password or SSH key (Routers → Edit).",
  hostKeyUnknown: 'Compare and trust its key with “Host key…” on the Routers list.',
  hostKeyMismatch: 'Peerdesk refuses to connect until you accept the new key (Routers → Host key…).',
  forbidden: 'Switch to Admin in Settings → Role.',
};

export function routerErrorHeadline(kind: ErrorKind): string {
  return HEADLINES[kind] ?? 'The router command failed';
}

export function routerErrorAdvice(kind: ErrorKind): string | null {
  return ADVICE[kind] ?? null;
}

/** One line for a toast: headline, core's message and (unless the toast offers its own way on) advice. */
export function routerErrorText(e: ApiError, withAdvice = true): string {
  const advice = withAdvice ? routerErrorAdvice(e.kind) : null;
  return `${routerErrorHeadline(e.kind)}: ${e.message}${advice ? ` ${advice}` : ''}`;
}

/** Kinds after which core guarantees the router was left as it was. */
export function nothingChanged(kind: ErrorKind): boolean {
  // connectionLost: core's message says whether it found the router as before.
  return kind !== 'rejected' && kind !== 'internal' && kind !== 'io' && kind !== 'connectionLost';
}

/**
 * The fingerprints in a hostKeyMismatch message, for display only: core names
 * the key presented now first and the trusted one second.
 */
export function changedKeyFingerprints(message: string): { presented: string | null; trusted: string | null } {
  const found = message.match(/SHA256:[A-Za-z0-9+/]+=*/g) ?? [];
  return { presented: found[0] ?? null, trusted: found[1] ?? null };
}

/** The file whose fingerprint `ssh-keygen -lf` prints on the router, for a key type. */
export function hostKeyFile(keyType: string): string {
  if (keyType.startsWith('ecdsa')) return '/etc/ssh/ssh_host_ecdsa_key.pub';
  if (keyType === 'ssh-rsa' || keyType.startsWith('rsa-')) return '/etc/ssh/ssh_host_rsa_key.pub';
  return '/etc/ssh/ssh_host_ed25519_key.pub';
}
