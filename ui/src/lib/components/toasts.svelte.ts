// The toast queue: short success/error/info notices shown bottom-left by
// Toasts.svelte. Any view may push; each notice dismisses itself.
export type ToastKind = 'success' | 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

const LIFETIME_MS: Record<ToastKind, number> = { success: 4000, info: 4000, error: 9000 };

class ToastQueue {
  items = $state<Toast[]>([]);
  #next = 1;

  push(kind: ToastKind, message: string): number {
    const id = this.#next++;
    this.items.push({ id, kind, message });
    setTimeout(() => this.dismiss(id), LIFETIME_MS[kind]);
    return id;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }

  success = (message: string) => this.push('success', message);
  error = (message: string) => this.push('error', message);
  info = (message: string) => this.push('info', message);
}

export const toasts = new ToastQueue();
