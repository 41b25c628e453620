// The router-configuration dialog that is open (push preview / Config Manager,
// or a router's host key), shared by the wrench actions that open it
// (sessionActions.ts, RoutersView) and ConfigDialogHost.svelte, which renders
// it and is mounted once in the Peering tab. Also the one "router changed
// something" signal: pushes and Update Session States call `changed()`, and
// the host reloads the lists.
import type { ConfigOperation } from '$lib/bindings/ConfigOperation';
import type { Session } from '$lib/bindings/Session';

export type ConfigDialog =
  /** Preview, confirm and push one operation; `editable` is the Config Manager (one-time overrides). */
  | { kind: 'push'; session: Session; operation: ConfigOperation; editable: boolean }
  /** A router's trusted key and the one it presents now (Routers list → Host key…). */
  | { kind: 'host-key'; routerId: number; routerName: string }
  /** Configure Sessions for a peer (`onlySession`: just that session, from its wrench). */
  | { kind: 'configure-sessions'; asn: number; onlySession?: number };

class ConfigDialogs {
  current = $state<ConfigDialog | null>(null);
  #listeners = new Set<() => void>();

  openPush(session: Session, operation: ConfigOperation, editable = false): void {
    this.current = { kind: 'push', session, operation, editable };
  }

  openConfigureSessions(asn: number, onlySession?: number): void {
    this.current = { kind: 'configure-sessions', asn, onlySession };
  }

  openHostKey(routerId: number, routerName: string): void {
    this.current = { kind: 'host-key', routerId, routerName };
  }

  close(): void {
    this.current = null;
  }

  /** Sessions' config or BGP states changed on a router: whoever shows them reloads. */
  changed(): void {
    for (const listener of this.#listeners) listener();
  }

  /** Subscribes to `changed()`; returns the unsubscribe. */
  onChanged(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

export const configDialogs = new ConfigDialogs();
