// Form helpers shared by every dialog: which message belongs next to which
// field, and which one has no field on screen and goes to the form's top.
import { ApiError, toApiError } from '$lib/api/invoke';

/** The message for `field`, when the error names it. */
export function fieldError(error: ApiError | null, field: string): string | null {
  return error && error.field === field ? error.message : null;
}

/** The message when no field on this form can show it (`form-error`). */
export function formError(error: ApiError | null, shownFields: readonly string[]): string | null {
  if (!error) return null;
  if (error.field && shownFields.includes(error.field)) return null;
  return error.message;
}

/** Anything caught in a form handler, as an ApiError. */
export function asApiError(reason: unknown): ApiError {
  return toApiError(reason);
}

/** Trimmed text, or undefined when empty (optional fields are omitted, not sent as ""). */
export function optionalText(text: string): string | undefined {
  const t = text.trim();
  return t === '' ? undefined : t;
}

/** A number typed into a field, or undefined when the field is empty. */
export function optionalNumber(text: string | number | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  const t = String(text).trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
