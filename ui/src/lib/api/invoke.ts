// The one place the UI talks to the Tauri backend: wraps `invoke` and turns a
// rejected CommandError into a thrown ApiError the views can branch on.
import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import type { CommandError } from '$lib/bindings/CommandError';
import type { ErrorKind } from '$lib/bindings/ErrorKind';

export type InvokeArgs = Record<string, unknown>;

/** A failed command: `kind` for branching, `message` for people, `field` for forms. */
export class ApiError extends Error {
  readonly kind: ErrorKind;
  readonly field: string | null;

  constructor(kind: ErrorKind, message: string, field: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.field = field;
  }
}

// The kind is taken as core sends it: ErrorKind is generated from core and
// grows there, so it is not re-listed here.
function isCommandError(value: unknown): value is CommandError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.kind === 'string' && v.kind !== '' && typeof v.message === 'string';
}

/** Whatever a command rejected with, as an ApiError. */
export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  if (isCommandError(reason)) {
    const field = typeof reason.field === 'string' && reason.field !== '' ? reason.field : null;
    return new ApiError(reason.kind, reason.message, field);
  }
  if (typeof reason === 'string') return new ApiError('internal', reason);
  if (reason instanceof Error) return new ApiError('internal', reason.message);
  return new ApiError('internal', 'The command failed for an unknown reason.');
}

type Backend = (command: string, args?: InvokeArgs) => Promise<unknown>;

const backend: Backend =
  import.meta.env.VITE_PEERDESK_MOCK === '1'
    ? async (command, args) => (await import('./mock')).mockInvoke(command, args)
    : (command, args) => tauriInvoke(command, args);

/** Runs one backend command; rejects only with ApiError. */
export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return (await backend(command, args)) as T;
  } catch (reason) {
    throw toApiError(reason);
  }
}
