// The pending confirmation question, answered by ConfirmDialog.svelte (mounted
// once by the app shell): `await askConfirm(...)` resolves true on OK.
export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger: boolean;
  resolve: (ok: boolean) => void;
}

class ConfirmSlot {
  current = $state<ConfirmRequest | null>(null);

  answer(ok: boolean): void {
    const req = this.current;
    this.current = null;
    req?.resolve(ok);
  }
}

export const confirmSlot = new ConfirmSlot();

export function askConfirm(opts: {
  title: string;
  message: string;
  confirmLabel?: string;
  danger?: boolean;
}): Promise<boolean> {
  confirmSlot.current?.resolve(false);
  return new Promise((resolve) => {
    confirmSlot.current = {
      title: opts.title,
      message: opts.message,
      confirmLabel: opts.confirmLabel ?? 'OK',
      danger: opts.danger ?? false,
      resolve,
    };
  });
}
