// The shape of a row action shown in the wrench menu (ActionMenu.svelte).
// Views declare their actions as data, in one array per list.
export interface RowAction<T> {
  id: string;
  label: string;
  visible: (row: T) => boolean;
  disabled?: (row: T) => boolean;
  /** Why the action is disabled, or what it does (shown as a tooltip). */
  hint?: string | ((row: T) => string);
  danger?: boolean;
  run: (row: T) => void | Promise<void>;
}

export function hintFor<T>(action: RowAction<T>, row: T): string | undefined {
  return typeof action.hint === 'function' ? action.hint(row) : action.hint;
}
