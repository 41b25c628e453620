// The user's role as core last said it, shared by the Settings Role section and
// the Admin views that need Admin (Data Import, template editing). Core
// enforces the role; this only lets the UI explain and hide actions up front.
import { getRole } from '$lib/api/settings';
import type { RoleStatus } from '$lib/bindings/RoleStatus';
import { asApiError } from '$lib/forms';

class CurrentRole {
  /** null until core answered. */
  status = $state<RoleStatus | null>(null);
  error = $state<string | null>(null);

  get isAdmin(): boolean {
    return this.status?.role === 'admin';
  }

  async load(): Promise<void> {
    try {
      this.status = await getRole();
      this.error = null;
    } catch (e) {
      this.error = asApiError(e).message;
    }
  }

  set(status: RoleStatus): void {
    this.status = status;
  }
}

export const currentRole = new CurrentRole();
