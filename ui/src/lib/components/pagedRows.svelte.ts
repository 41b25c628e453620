// Rows fetched from core one page at a time for the virtualised DataTable
// (PagedRows): keeps the pages fetched for the current query, fetches the pages
// of the window the table renders plus a margin, and swaps to a new query's
// rows only once they have arrived. A new query first asks only for about the
// rows in view (a small, quick answer) and fetches the margin once it has
// settled, so typing is not slowed by prefetching. Every query (and every
// reload) is a new generation; an answer for any older generation is dropped,
// so rows of an older request never show, whatever order the answers come
// back in.
import { pagesOf, type PagedRows, type RowWindow } from './datatable';

export interface Page<T> {
  /** All rows matching the query. */
  total: number;
  rows: T[];
}

export interface PagedSourceOptions<T, Q> {
  /** Fetches `limit` rows from `offset` of what `query` selects. */
  fetch: (query: Q, offset: number, limit: number) => Promise<Page<T>>;
  /** Rows per request; default 200. */
  pageSize?: number;
  /** Rows fetched ahead on each side of the rendered window; default 100. */
  margin?: number;
  /** Rows a new query asks for first when the table renders fewer (or is not measured yet); default 50. */
  firstRows?: number;
  /** How long after a new query the margin waits (ms), so it does not delay the next keystroke; default 150. */
  settleMs?: number;
  /** Pages kept per query; the farthest from the window go first. Default 50. */
  maxPages?: number;
  /** A fetch of the current query failed (answers of older queries are not reported). */
  onerror?: (error: unknown) => void;
}

/** One query's pages (a new one per query and per reload). */
class Generation<T, Q> {
  /** Page number → its rows (fewer than a page when only the first rows were asked for). */
  readonly pages = new Map<number, T[]>();
  readonly inflight = new Map<number, Promise<boolean>>();
  total: number | null = null;
  /** Its first rows could not be fetched: asking for the same query again retries. */
  failed = false;
  constructor(readonly query: Q) {}
}

export class PagedSource<T, Q> implements PagedRows<T> {
  readonly pageSize: number;
  readonly #fetch: PagedSourceOptions<T, Q>['fetch'];
  readonly #margin: number;
  readonly #firstRows: number;
  readonly #settleMs: number;
  readonly #maxPages: number;
  readonly #onerror: (error: unknown) => void;

  /** The generation whose rows the table shows (null before the first answer). */
  #shown = $state.raw<Generation<T, Q> | null>(null);
  /** Bumped whenever a page of the shown generation arrives or changes. */
  #version = $state(0);
  /** The generation requests go out for: the newest query. */
  #latest: Generation<T, Q> | null = null;
  /** Resolves when #latest is shown (or is superseded: false). */
  #latestShown: Promise<boolean> = Promise.resolve(false);
  #window: RowWindow = { start: 0, end: 0 };
  /** No margin is fetched before this time (ms since epoch): a query was just asked. */
  #settleUntil = 0;
  #settleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: PagedSourceOptions<T, Q>) {
    this.#fetch = options.fetch;
    this.pageSize = options.pageSize ?? 200;
    this.#margin = options.margin ?? 100;
    this.#firstRows = Math.min(this.pageSize, Math.max(1, options.firstRows ?? 50));
    this.#settleMs = options.settleMs ?? 150;
    this.#maxPages = Math.max(2, options.maxPages ?? 50);
    this.#onerror = options.onerror ?? (() => {});
  }

  /** True once the rows of some query are shown. */
  get loaded(): boolean {
    return this.#shown !== null;
  }

  get total(): number {
    void this.#version;
    return this.#shown?.total ?? 0;
  }

  at(index: number): T | undefined {
    void this.#version;
    const shown = this.#shown;
    if (!shown) return undefined;
    const page = Math.floor(index / this.pageSize);
    return shown.pages.get(page)?.[index - page * this.pageSize];
  }

  want(window: RowWindow): void {
    this.#window = { start: window.start, end: window.end };
    this.#fill();
  }

  /**
   * Shows what `query` selects from its first row: fetches the first window
   * now and swaps when it has arrived; until then the previous rows stay.
   * Resolves true when this query's rows are shown, false when a newer query
   * or reload came first or the fetch failed. The same query as the newest
   * one is not asked again.
   */
  query(query: Q): Promise<boolean> {
    const latest = this.#latest;
    if (latest && !latest.failed && sameQuery(latest.query, query)) return this.#latestShown;
    // The table is asked to scroll to the top with a new query; it renders
    // the first rows while the answer is on its way.
    const rows = Math.max(this.#firstRows, this.#window.end - this.#window.start);
    this.#settleUntil = Date.now() + this.#settleMs;
    return this.#start(query, { start: 0, end: rows });
  }

  /**
   * Fetches the rows of the window again for the newest query (after rows were
   * changed) and swaps when they have arrived; the scroll position stays.
   */
  reload(): Promise<boolean> {
    if (!this.#latest) return Promise.resolve(false);
    const { start, end } = this.#window;
    return this.#start(this.#latest.query, end > start ? this.#window : { start: 0, end: this.#firstRows });
  }

  /** Stops: answers still on their way are dropped and nothing more is fetched. */
  dispose(): void {
    this.#latest = null;
    if (this.#settleTimer !== null) clearTimeout(this.#settleTimer);
    this.#settleTimer = null;
  }

  /** Replaces loaded rows in place (e.g. the saved row after an edit) until the next answer. */
  replace(matches: (row: T) => boolean, next: T): void {
    for (const gen of [this.#shown, this.#latest]) {
      if (!gen) continue;
      for (const rows of gen.pages.values()) {
        for (let i = 0; i < rows.length; i++) if (matches(rows[i])) rows[i] = next;
      }
    }
    this.#version++;
  }

  #start(query: Q, first: RowWindow): Promise<boolean> {
    const gen = new Generation<T, Q>(query);
    this.#latest = gen;
    const range = pagesOf(first.start, first.end, this.pageSize) ?? { first: 0, last: 0 };
    const batch: Promise<boolean>[] = [];
    for (let p = range.first; p <= range.last; p++) {
      batch.push(this.#fetchPage(gen, p, Math.min(this.pageSize, first.end - p * this.pageSize)));
    }
    const shown = Promise.all(batch).then((oks) => {
      if (gen !== this.#latest) return false;
      if (!oks.every(Boolean)) {
        gen.failed = true;
        return false;
      }
      this.#shown = gen;
      this.#version++;
      this.#fill();
      return true;
    });
    this.#latestShown = shown;
    return shown;
  }

  /**
   * Fetches what the newest query lacks: the rows the table renders at once,
   * the margin around them once the query has settled.
   */
  #fill(): void {
    const gen = this.#latest;
    if (!gen) return;
    const total = gen.total ?? this.#shown?.total ?? 0;
    const { start, end } = this.#window;
    this.#fetchMissing(gen, start, Math.min(total, end));
    const wait = this.#settleUntil - Date.now();
    if (wait > 0) {
      this.#settleTimer ??= setTimeout(() => {
        this.#settleTimer = null;
        this.#fill();
      }, wait);
      return;
    }
    this.#fetchMissing(gen, Math.max(0, start - this.#margin), Math.min(total, end + this.#margin));
  }

  /** Fetches the pages holding rows [from, to) that are not (fully) loaded or on their way. */
  #fetchMissing(gen: Generation<T, Q>, from: number, to: number): void {
    const range = pagesOf(from, to, this.pageSize);
    if (!range) return;
    for (let p = range.first; p <= range.last; p++) {
      const rows = gen.pages.get(p);
      const needed = Math.min(to, (p + 1) * this.pageSize);
      if (rows && p * this.pageSize + rows.length >= needed) continue;
      void this.#fetchPage(gen, p, this.pageSize);
    }
  }

  /** Fetches `limit` rows from the start of `page` unless they are loaded or on their way. */
  #fetchPage(gen: Generation<T, Q>, page: number, limit: number): Promise<boolean> {
    const loaded = gen.pages.get(page);
    if (loaded && loaded.length >= limit) return Promise.resolve(true);
    const running = gen.inflight.get(page);
    if (running) return running;
    const request = this.#fetch(gen.query, page * this.pageSize, limit).then(
      (answer) => {
        gen.inflight.delete(page);
        if (gen !== this.#latest) return false; // stale: a newer query or reload was asked
        gen.pages.set(page, answer.rows);
        gen.total = answer.total;
        this.#evict(gen);
        if (this.#shown === gen) {
          this.#version++;
          // The window may have moved on while this page was on its way (a
          // short answer means there is no more, so nothing is asked again).
          const full = answer.rows.length >= limit || page * this.pageSize + answer.rows.length >= answer.total;
          if (full) this.#fill();
        }
        return true;
      },
      (error: unknown) => {
        gen.inflight.delete(page);
        if (gen === this.#latest) this.#onerror(error);
        return false;
      },
    );
    gen.inflight.set(page, request);
    return request;
  }

  /** Drops the pages farthest from the window while there are too many. */
  #evict(gen: Generation<T, Q>): void {
    if (gen.pages.size <= this.#maxPages) return;
    const centre = (this.#window.start + this.#window.end) / 2 / this.pageSize;
    const byDistance = [...gen.pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
    for (const p of byDistance.slice(0, gen.pages.size - this.#maxPages)) gen.pages.delete(p);
  }
}

function sameQuery<Q>(a: Q, b: Q): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
