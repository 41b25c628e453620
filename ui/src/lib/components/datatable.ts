// Column description and row-window arithmetic of DataTable.svelte: which slice
// of the rows a scroll position shows, which pages hold a window, and the
// interface of rows that are fetched page by page instead of held in memory.
// Pure, so it is tested without a DOM.
import type { Snippet } from 'svelte';

export interface Column<T> {
  id: string;
  header: string;
  /** A CSS grid track, e.g. "120px" or "2fr"; default "minmax(6rem, 1fr)". */
  width?: string;
  /** Plain text of the cell (also its tooltip). Ignored when `cell` is given. */
  text?: (row: T) => string;
  /** Rich cell content. */
  cell?: Snippet<[T]>;
  /** Makes the header clickable; ascending order. */
  sort?: (a: T, b: T) => number;
  /**
   * Makes the header clickable without a comparator: the table only reports
   * the order through its `onsort` and whoever owns the rows sorts them (paged rows).
   */
  sortable?: boolean;
  align?: 'start' | 'end' | 'center';
}

export interface RowWindow {
  /** First rendered row index (inclusive). */
  start: number;
  /** Last rendered row index (exclusive). */
  end: number;
}

/** The rows to render for a viewport: the visible ones plus `overscan` each side. */
export function rowWindow(
  total: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  overscan: number,
): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.min(Math.max(0, first - overscan), Math.max(0, total - 1));
  const end = Math.min(total, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

export function gridTemplate<T>(columns: readonly Column<T>[]): string {
  return columns.map((c) => c.width ?? 'minmax(6rem, 1fr)').join(' ');
}

/**
 * Rows the table does not hold: it knows how many there are, reads the ones it
 * renders, and says which window it renders so the missing pages are fetched.
 * `total` and `at` are reactive reads.
 */
export interface PagedRows<T> {
  /** All rows (sizes the scroll area). */
  readonly total: number;
  /** The row at `index`, or undefined while it is not loaded (drawn as a placeholder). */
  at(index: number): T | undefined;
  /** The table renders rows [start, end) now. */
  want(window: RowWindow): void;
}

/** The pages of `pageSize` rows that hold rows [start, end), first and last inclusive. */
export function pagesOf(start: number, end: number, pageSize: number): { first: number; last: number } | null {
  if (end <= start || pageSize <= 0) return null;
  return { first: Math.floor(Math.max(0, start) / pageSize), last: Math.floor((end - 1) / pageSize) };
}
