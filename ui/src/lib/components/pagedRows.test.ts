// PagedSource: which pages it asks for (a new query only the rows in view
// first, the margin once settled), that a query's rows replace the previous
// ones only once they have arrived, that answers to older queries are dropped
// in whatever order they come, and reload/replace after changes.
import { describe, expect, it, vi } from 'vitest';
import { PagedSource, type Page } from './pagedRows.svelte';

interface Query {
  text: string;
}

interface Held {
  query: Query;
  offset: number;
  limit: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A backend whose answers are released by hand: rows are "<text>:<index>", `total` of them. */
function backend(total = 1000) {
  const held: Held[] = [];
  const fetch = vi.fn(
    (query: Query, offset: number, limit: number) =>
      new Promise<Page<string>>((resolve, reject) => {
        const rows = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => `${query.text}:${offset + i}`);
        held.push({ query, offset, limit, resolve: () => resolve({ total, rows }), reject });
      }),
  );
  const release = async (match: (h: Held) => boolean = () => true) => {
    for (const h of held.filter(match)) {
      held.splice(held.indexOf(h), 1);
      h.resolve();
    }
    await new Promise((r) => setTimeout(r, 0));
  };
  const offsets = () => fetch.mock.calls.map(([, offset]) => offset);
  return { fetch, held, release, offsets };
}

describe('PagedSource', () => {
  it('asks for the first rows of a query and shows them and the total once they arrive', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, pageSize: 100, margin: 20, firstRows: 40 });
    const shown = source.query({ text: 'a' });
    expect(b.fetch).toHaveBeenCalledWith({ text: 'a' }, 0, 40);
    expect(source.loaded).toBe(false);
    expect(source.total).toBe(0);
    await b.release();
    expect(await shown).toBe(true);
    expect(source.total).toBe(1000);
    expect(source.at(0)).toBe('a:0');
    expect(source.at(39)).toBe('a:39');
    expect(source.at(40)).toBeUndefined(); // not loaded: a placeholder
  });

  it('asks a new query for the rows in view only, and for the rest of the page and the margin once settled', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, pageSize: 100, margin: 50, firstRows: 10, settleMs: 40 });
    source.want({ start: 0, end: 30 });
    void source.query({ text: 'a' });
    await b.release();
    expect(b.fetch.mock.calls.map(([, o, l]) => [o, l])).toEqual([[0, 30]]);
    expect(source.at(29)).toBe('a:29');
    await new Promise((r) => setTimeout(r, 60));
    expect(b.fetch.mock.calls.map(([, o, l]) => [o, l])).toEqual([
      [0, 30],
      [0, 100],
    ]);
    await b.release();
    expect(source.at(79)).toBe('a:79');
  });

  it('fetches the rows the table renders at once even before the query has settled', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, pageSize: 100, margin: 50, firstRows: 10, settleMs: 10_000 });
    void source.query({ text: 'a' });
    await b.release();
    source.want({ start: 250, end: 280 });
    expect(b.offsets()).toEqual([0, 200]);
    source.dispose();
  });

  it('fetches the pages of the window plus the margin, each once', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, pageSize: 100, margin: 20, firstRows: 100, settleMs: 0 });
    void source.query({ text: 'a' });
    await b.release();
    source.want({ start: 0, end: 30 });
    expect(b.offsets()).toEqual([0]);
    source.want({ start: 70, end: 90 }); // margin reaches row 109: page 1
    source.want({ start: 71, end: 91 });
    expect(b.offsets()).toEqual([0, 100]);
    source.want({ start: 500, end: 530 }); // the rendered rows' page 5 first, then the margin's page 4
    expect(b.offsets()).toEqual([0, 100, 500, 400]);
    await b.release();
    expect(source.at(530)).toBe('a:530');
  });

  it('keeps the previous rows until the new query has answered, then swaps all at once', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, pageSize: 100 });
    void source.query({ text: 'a' });
    await b.release();
    const shown = source.query({ text: 'b' });
    expect(source.at(0)).toBe('a:0');
    await b.release();
    expect(await shown).toBe(true);
    expect(source.at(0)).toBe('b:0');
  });

  it('drops the answer to an older query that arrives after the newer one', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, pageSize: 100 });
    const older = source.query({ text: 'old' });
    const newer = source.query({ text: 'new' });
    await b.release((h) => h.query.text === 'new');
    await b.release((h) => h.query.text === 'old');
    expect(await newer).toBe(true);
    expect(await older).toBe(false);
    expect(source.at(0)).toBe('new:0');
  });

  it('does not ask again for the query it already asked for', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch });
    void source.query({ text: 'a' });
    await b.release();
    expect(await source.query({ text: 'a' })).toBe(true);
    expect(b.fetch).toHaveBeenCalledTimes(1);
  });

  it('reloads the window for the same query, keeping the rows shown until the answer', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, pageSize: 100, margin: 0, settleMs: 0 });
    void source.query({ text: 'a' });
    await b.release();
    source.want({ start: 120, end: 150 });
    await b.release();
    source.replace((row) => row === 'a:130', 'edited');
    expect(source.at(130)).toBe('edited');
    const reloaded = source.reload();
    expect(b.fetch).toHaveBeenLastCalledWith({ text: 'a' }, 100, 50); // rows 100..149 of page 1
    expect(source.at(130)).toBe('edited');
    await b.release();
    expect(await reloaded).toBe(true);
    expect(source.at(130)).toBe('a:130');
  });

  it('reloads the first rows when the table has not said what it renders', async () => {
    const b = backend();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, firstRows: 30 });
    void source.query({ text: 'a' });
    await b.release();
    const reloaded = source.reload();
    expect(b.fetch).toHaveBeenLastCalledWith({ text: 'a' }, 0, 30);
    await b.release();
    expect(await reloaded).toBe(true);
    expect(source.at(29)).toBe('a:29');
    source.dispose();
  });

  it('reports a failed fetch and asks again when the same query is asked for', async () => {
    const b = backend();
    const onerror = vi.fn();
    const source = new PagedSource<string, Query>({ fetch: b.fetch, onerror });
    const shown = source.query({ text: 'a' });
    b.held.shift()!.reject(new Error('database is locked'));
    expect(await shown).toBe(false);
    expect(onerror).toHaveBeenCalledTimes(1);
    const again = source.query({ text: 'a' });
    expect(b.fetch).toHaveBeenCalledTimes(2);
    await b.release();
    expect(await again).toBe(true);
  });
});
