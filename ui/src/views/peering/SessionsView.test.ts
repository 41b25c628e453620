// The Sessions list against a mocked api: it asks core for pages (the first
// window with the typed filter, the next page when scrolled), draws
// placeholders for rows not loaded yet, ignores an answer that arrives after a
// newer one, sends the clicked column as sort/descending, counts "X of N" from
// core's totals and reloads after a delete and when a background sync finished.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { flushSync } from 'svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Exchange } from '$lib/bindings/Exchange';
import type { Session } from '$lib/bindings/Session';
import type { SessionPage } from '$lib/bindings/SessionPage';
import type { SessionPageRequest } from '$lib/bindings/SessionPageRequest';

const api = vi.hoisted(() => ({
  listSessionsPage: vi.fn(),
  deleteSession: vi.fn(),
  exportSessionsCsv: vi.fn(),
}));
vi.mock('$lib/api/peering', () => api);
vi.mock('$lib/api/messaging', () => ({ draftSessionEmail: vi.fn() }));
vi.mock('$lib/api/dialogs', () => ({ pickFile: vi.fn() }));
const syncFinished = vi.hoisted(() => ({ handlers: [] as ((report: unknown) => void)[] }));
vi.mock('$lib/api/events', () => ({
  onSyncFinished: async (handler: (report: unknown) => void) => {
    syncFinished.handlers.push(handler);
    return () => {
      syncFinished.handlers = syncFinished.handlers.filter((h) => h !== handler);
    };
  },
}));

import type { PeeringData } from './data.svelte';
import SessionsView from './SessionsView.svelte';

const ROW_HEIGHT = 34; // SessionsView's rowHeight

const exchange: Exchange = {
  id: 7,
  name: 'Bench IX',
  city: 'Frankfurt',
  country: 'DE',
  peeringdbIxId: null,
  peeringdbIxlanId: null,
  prefixV4: null,
  prefixV6: null,
  createdAt: '',
  updatedAt: '',
};

function session(i: number): Session {
  return {
    id: i + 1,
    sessionType: 'peer',
    exchangeId: 7,
    exchangeName: 'Bench IX',
    routerId: 1,
    routerName: 'edge1',
    peerGroupId: null,
    peerGroupName: null,
    networkId: i + 1,
    asn: 64512 + i,
    networkName: `Network ${i}`,
    peerIp: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    ipVersion: 4,
    md5Ref: null,
    md5Needed: false,
    adminState: 'up',
    configState: 'configured',
    bgpState: 'established',
    bgpRefreshedAt: null,
    notes: '',
    createdAt: '',
    updatedAt: '',
  };
}

let stored: Session[] = [];

/** What core would answer: text filter on the name, optional sort by name, the window. */
function answer(r: SessionPageRequest): SessionPage {
  let list = stored.filter((s) => !r.filter.text || s.networkName.toLowerCase().includes(r.filter.text.toLowerCase()));
  if (r.sort === 'peer' && r.descending) list = list.slice().reverse();
  return { total: list.length, offset: r.offset, rows: list.slice(r.offset, r.offset + r.limit) };
}

/** The page requests (limit > 0) sent so far. */
const pageRequests = (): SessionPageRequest[] =>
  api.listSessionsPage.mock.calls.map(([r]) => r as SessionPageRequest).filter((r) => r.limit > 0);

const rowIds = () =>
  screen.queryAllByTestId(/^session-row-\d+$/).map((r) => Number(r.getAttribute('data-testid')!.slice('session-row-'.length)));

function open() {
  const onchanged = vi.fn();
  render(SessionsView, {
    props: {
      exchange,
      data: { peerGroups: [] } as unknown as PeeringData,
      onback: vi.fn(),
      onchanged,
      onnetworkdetail: vi.fn(),
    },
  });
  return { onchanged, user: userEvent.setup() };
}

async function scrollToRow(index: number) {
  const viewport = document.querySelector<HTMLElement>('.viewport')!;
  viewport.scrollTop = ROW_HEIGHT + index * ROW_HEIGHT; // the sticky header is one row
  await fireEvent.scroll(viewport);
  flushSync();
}

beforeEach(() => {
  stored = Array.from({ length: 20_000 }, (_, i) => session(i));
  api.listSessionsPage.mockReset().mockImplementation(async (r: SessionPageRequest) => answer(r));
  api.deleteSession.mockReset().mockImplementation(async (id: number) => {
    stored = stored.filter((s) => s.id !== id);
    return null;
  });
  api.exportSessionsCsv.mockReset().mockResolvedValue(0);
});

describe('SessionsView', () => {
  it('asks for the first rows of the exchange and counts all its sessions, not all 20,000 rows', async () => {
    open();
    await waitFor(() => expect(screen.getByTestId('sessions-count').textContent).toBe('20,000 of 20,000 sessions'));
    expect(pageRequests()[0]).toEqual({
      filter: { exchangeId: 7, noExchange: false },
      descending: false,
      offset: 0,
      limit: 50, // about the rows in view; the rest of the page follows once settled
    });
    // The "of N": a count without filters and without rows.
    expect(api.listSessionsPage).toHaveBeenCalledWith({
      filter: { exchangeId: 7, noExchange: false },
      descending: false,
      offset: 0,
      limit: 0,
    });
    const ids = rowIds();
    expect(ids[0]).toBe(1);
    expect(ids.length).toBeLessThanOrEqual(60);
  });

  it("shows what the last state read found: uptime and prefixes when up, the router's error when not", async () => {
    const upSince = new Date(Date.now() - (3 * 86400 + 4 * 3600) * 1000).toISOString();
    stored[0] = { ...stored[0], bgpUpSince: upSince, prefixesReceived: 1265 };
    stored[1] = { ...stored[1], bgpState: 'active', bgpLastError: 'Socket: Connection refused' };
    open();
    const detail = await screen.findByTestId('session-bgp-detail-1');
    expect(detail.textContent).toContain('up 3d 4h');
    expect(detail.textContent).toContain('1265 pfx');
    expect(screen.getByTestId('session-bgp-error-2').textContent).toBe('Socket: Connection refused');
    expect(screen.queryByTestId('session-bgp-detail-2')).toBeNull();
  });

  it('asks for the first window with the typed filter on each keystroke and shows its rows', async () => {
    const { user } = open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    await user.type(screen.getByTestId('sessions-filter-text'), 'k 19');
    await waitFor(() => expect(screen.getByTestId('sessions-count').textContent).toBe('1,111 of 20,000 sessions'));
    const last = pageRequests().at(-1)!;
    expect(last).toMatchObject({
      filter: { exchangeId: 7, noExchange: false, text: 'k 19' },
      descending: false,
      offset: 0,
    });
    expect(rowIds().slice(0, 2)).toEqual([20, 191]); // Network 19, Network 190
  });

  it('ignores an answer that arrives after the answer to a newer keystroke', async () => {
    const { user } = open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    // Hold the answers back and release them in the wrong order.
    const held: { request: SessionPageRequest; release: () => void }[] = [];
    api.listSessionsPage.mockImplementation(
      (r: SessionPageRequest) =>
        new Promise<SessionPage>((resolve) => held.push({ request: r, release: () => resolve(answer(r)) })),
    );
    const input = screen.getByTestId('sessions-filter-text');
    await user.type(input, 'Network 1');
    await user.type(input, '23');
    const older = held.find((h) => h.request.filter.text === 'Network 1')!;
    const newer = held.find((h) => h.request.filter.text === 'Network 123')!;
    newer.release();
    await waitFor(() => expect(screen.getByTestId('sessions-count').textContent).toBe('111 of 20,000 sessions'));
    const newest = rowIds();
    older.release();
    await new Promise((r) => setTimeout(r, 20));
    flushSync();
    expect(screen.getByTestId('sessions-count').textContent).toBe('111 of 20,000 sessions');
    expect(rowIds()).toEqual(newest);
    expect(rowIds()).toContain(124); // Network 123
    expect(rowIds()).not.toContain(2); // Network 1 (only the older answer had it)
  });

  it('asks for the next page when scrolled towards it', async () => {
    open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    expect(pageRequests().map((r) => r.offset)).not.toContain(200);
    await scrollToRow(150);
    await waitFor(() => expect(pageRequests().map((r) => r.offset)).toContain(200));
    await waitFor(() => expect(rowIds()).toContain(151));
  });

  it('draws placeholder rows of the same height until their page has arrived', async () => {
    open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    const held: (() => void)[] = [];
    api.listSessionsPage.mockImplementation(
      (r: SessionPageRequest) => new Promise<SessionPage>((resolve) => held.push(() => resolve(answer(r)))),
    );
    await scrollToRow(10_000);
    const placeholders = document.querySelectorAll('.row.placeholder');
    expect(placeholders.length).toBeGreaterThan(10);
    expect(placeholders[0].getAttribute('aria-rowindex')).toBe(String(10_000 - 8 + 2)); // overscan 8
    expect(rowIds()).toEqual([]);
    expect(pageRequests().at(-1)!.offset).toBe(10_000);
    for (const release of held) release();
    await waitFor(() => expect(rowIds()).toContain(10_001));
    expect(document.querySelectorAll('.row.placeholder')).toHaveLength(0);
  });

  it('sends the clicked column as sort, then descending, then the default order', async () => {
    const { user } = open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    const peer = screen.getByRole('button', { name: /Peer$/ });
    await user.click(peer);
    await waitFor(() => expect(pageRequests().at(-1)).toMatchObject({ sort: 'peer', descending: false, offset: 0 }));
    await user.click(peer);
    await waitFor(() => expect(pageRequests().at(-1)).toMatchObject({ sort: 'peer', descending: true, offset: 0 }));
    await waitFor(() => expect(rowIds()[0]).toBe(20_000));
    await user.click(peer);
    await waitFor(() => expect(pageRequests().at(-1)!.sort).toBeUndefined());
    await user.click(screen.getByRole('button', { name: /Peer IP/ }));
    await waitFor(() => expect(pageRequests().at(-1)).toMatchObject({ sort: 'peerIp', descending: false }));
  });

  it('sends the select filters to core and exports the same filter', async () => {
    const { user } = open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    await user.selectOptions(screen.getByTestId('sessions-filter-ipversion'), '6');
    await user.selectOptions(screen.getByTestId('sessions-filter-state'), 'bgp:idle');
    await waitFor(() =>
      expect(pageRequests().at(-1)!.filter).toEqual({ exchangeId: 7, noExchange: false, ipVersion: 6, bgpState: 'idle' }),
    );
  });

  it('reloads the rows in view and the count after a delete', async () => {
    const { user, onchanged } = open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    await user.click(screen.getByTestId('row-actions-1'));
    await user.click(screen.getByTestId('action-delete'));
    // Delete only from Peerdesk: the configured session's router is left alone.
    await user.click(await screen.findByTestId('delete-from-router'));
    await user.click(screen.getByTestId('delete-ok'));
    await waitFor(() => expect(screen.queryByTestId('session-row-1')).toBeNull());
    expect(api.deleteSession).toHaveBeenCalledWith(1);
    await waitFor(() => expect(screen.getByTestId('sessions-count').textContent).toBe('19,999 of 19,999 sessions'));
    expect(rowIds()[0]).toBe(2);
    expect(onchanged).toHaveBeenCalled();
  });

  it('reloads the rows when a background sync finished (a queued change applied, states read)', async () => {
    open();
    await waitFor(() => expect(rowIds()[0]).toBe(1));
    await waitFor(() => expect(syncFinished.handlers.length).toBe(1));
    expect(screen.getByTestId('session-row-1').textContent).not.toContain('Idle');
    stored[0] = { ...stored[0], bgpState: 'idle' };
    const before = api.listSessionsPage.mock.calls.length;
    for (const h of syncFinished.handlers) h({ routerId: 1, routerName: 'edge1', items: [] });
    await waitFor(() => expect(screen.getByTestId('session-row-1').textContent).toContain('Idle'));
    expect(api.listSessionsPage.mock.calls.length).toBeGreaterThan(before);
  });
});

describe('Sessions list passwords', () => {
  it('says "MD5 needed" only on a session waiting for its MD5 password', async () => {
    stored = [session(0), { ...session(1), md5Needed: true }];
    open();
    await waitFor(() => expect(rowIds()).toEqual([1, 2]));
    expect(screen.getByTestId('session-md5-needed-2').textContent).toContain('MD5 needed');
    expect(screen.queryByTestId('session-md5-needed-1')).toBeNull();
  });
});
