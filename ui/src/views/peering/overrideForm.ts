// The Config Manager's one-time fields as a form (PushDialog and the Outbox's
// Edit): what the fields show for a set of overrides, and the overrides the
// fields stand for. Empty fields are omitted so core uses the defaults.
import type { ConfigOverrides } from '$lib/bindings/ConfigOverrides';
import { optionalText } from '$lib/forms';

export interface OverrideForm {
  description: string;
  /** A number input's value: null while empty. */
  maxPrefix: number | null;
  importPolicy: string;
  exportPolicy: string;
  extraLines: string;
}

/** The field names core's errors use for these inputs. */
export const OVERRIDE_FIELDS = ['description', 'maxPrefix', 'importPolicy', 'exportPolicy', 'extraLines'] as const;

export function overrideForm(from: ConfigOverrides = {}): OverrideForm {
  return {
    description: from.description ?? '',
    maxPrefix: typeof from.maxPrefix === 'number' ? from.maxPrefix : null,
    importPolicy: from.importPolicy ?? '',
    exportPolicy: from.exportPolicy ?? '',
    extraLines: from.extraLines ?? '',
  };
}

/** The overrides the fields stand for: texts trimmed, extra lines as typed (when not blank). */
export function overridesOf(form: OverrideForm): ConfigOverrides {
  const o: ConfigOverrides = {};
  const d = optionalText(form.description);
  if (d !== undefined) o.description = d;
  if (typeof form.maxPrefix === 'number' && Number.isFinite(form.maxPrefix)) o.maxPrefix = form.maxPrefix;
  const i = optionalText(form.importPolicy);
  if (i !== undefined) o.importPolicy = i;
  const e = optionalText(form.exportPolicy);
  if (e !== undefined) o.exportPolicy = e;
  if (form.extraLines.trim() !== '') o.extraLines = form.extraLines;
  return o;
}
