// The toast queue: short success/error/info notices shown bottom-left by
// Toasts.svelte, optionally with one action button (e.g. Undo). Any view may
// push; each notice dismisses itself.
export type ToastKind = 'success' | 'error' | 'info';

/** A button on a notice; pressing it runs `run` and dismisses the notice. */
export interface ToastAction {
  label: string;
  run: () => void | Promise<void>;
}

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
  action?: ToastAction;
}

const LIFETIME_MS: Record<ToastKind, number> = { success: 4000, info: 4000, error: 9000 };
/** A notice with a button stays longer, so there is time to reach it. */
const ACTION_LIFETIME_MS = 9000;

class ToastQueue {
  items = $state<Toast[]>([]);
  #next = 1;

  push(kind: ToastKind, message: string, action?: ToastAction): number {
    const id = this.#next++;
    this.items.push(action ? { id, kind, message, action } : { id, kind, message });
    setTimeout(() => this.dismiss(id), action ? Math.max(ACTION_LIFETIME_MS, LIFETIME_MS[kind]) : LIFETIME_MS[kind]);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }

  success = (message: string, action?: ToastAction) => this.push('success', message, action);
  error = (message: string) => this.push('error', message);
  info = (message: string, action?: ToastAction) => this.push('info', message, action);
}

export const toasts = new ToastQueue();
