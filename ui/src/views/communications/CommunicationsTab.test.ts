// The Communications tab against mocked api modules: the list is what core
// returns, the wrench offers exactly the row's `actions` in the guide's words,
// Mark … goes to core and the row shows core's new status, a refused action is
// said in a toast, Send/Resend Request open the editor with core's draft (and
// its warning), filters are handed to core, and "By exchange" groups the rows.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { EmailDraft } from '$lib/bindings/EmailDraft';
import type { PeerRow } from '$lib/bindings/PeerRow';
import { toasts } from '$lib/components/toasts.svelte';

const messaging = vi.hoisted(() => ({
  listPeers: vi.fn(),
  applyPeerAction: vi.fn(),
  peerHistory: vi.fn(),
  listMessages: vi.fn(),
  draftRequest: vi.fn(),
  draftResend: vi.fn(),
  sendEmail: vi.fn(),
}));
const peering = vi.hoisted(() => ({ listExchanges: vi.fn(), configureSessionsCandidates: vi.fn() }));
vi.mock('$lib/api/messaging', () => messaging);
vi.mock('$lib/api/peering', () => peering);

import CommunicationsTab from './CommunicationsTab.svelte';

const peer = (over: Partial<PeerRow> & Pick<PeerRow, 'asn' | 'name'>): PeerRow => ({
  status: 'new',
  requestsSent: 0,
  firstRequestAt: null,
  lastRequestAt: null,
  lastContactAt: null,
  exchanges: ['DEMO-IX Frankfurt'],
  exchangeIds: [1],
  policyGeneral: 'Open',
  sessions: 2,
  actions: ['markExisting', 'markNotQualified', 'sendRequest', 'markRequestReceived'],
  lastNote: null,
  ...over,
});

const ALPHA = peer({ asn: 64500, name: 'Alpha Networks', exchanges: ['DEMO-IX Frankfurt', 'DEMO-IX Amsterdam'], exchangeIds: [1, 2] });
const BRAVO = peer({
  asn: 64501,
  name: 'Bravo Telecom',
  status: 'request_sent',
  requestsSent: 2,
  firstRequestAt: '2025-03-01T10:00:00Z',
  lastRequestAt: '2025-03-04T10:00:00Z',
  lastContactAt: '2025-03-04T10:00:00Z',
  actions: ['resendRequest', 'markRequestReceived', 'markApproved', 'markRejected', 'resetStatus'],
  lastNote: 'Sent "Peering request" to peering@bravo.example',
});
const CHARLIE = peer({
  asn: 64502,
  name: 'Charlie Cloud',
  status: 'approved',
  exchanges: ['DEMO-IX Amsterdam'],
  exchangeIds: [2],
  actions: ['resetStatus', 'configureSessions'],
});

const summary = (id: number, name: string) => ({
  exchange: { id, name, city: '', country: '', peeringdbIxId: null, peeringdbIxlanId: null, prefixV4: null, prefixV6: null, createdAt: '', updatedAt: '' },
  routerNames: [],
  sessions: 0,
  established: 0,
  configured: 0,
  pending: 0,
  failed: 0,
  notConfigured: 0,
});

const draft = (over: Partial<EmailDraft> = {}): EmailDraft => ({
  asn: 64500,
  kind: 'request',
  to: 'peering@alpha.example',
  cc: '',
  bcc: '',
  subject: 'Peering request: AS64496 and AS64500',
  body: 'Hello Alpha,\n\nwe would like to peer.\n',
  ...over,
});

function open() {
  render(CommunicationsTab);
  return userEvent.setup();
}

const rowAsns = () =>
  screen.queryAllByTestId(/^peer-row-\d+$/).map((r) => Number(r.getAttribute('data-testid')!.split('-').pop()));
const menuItems = () => screen.queryAllByRole('menuitem').map((el) => el.getAttribute('data-testid'));
const loaded = () => waitFor(() => expect(rowAsns().length).toBeGreaterThan(0));

beforeEach(() => {
  toasts.items = [];
  for (const f of Object.values(messaging)) f.mockReset();
  messaging.listPeers.mockResolvedValue([ALPHA, BRAVO, CHARLIE]);
  peering.listExchanges.mockReset().mockResolvedValue([summary(1, 'DEMO-IX Frankfurt'), summary(2, 'DEMO-IX Amsterdam'), { ...summary(0, ''), exchange: null }]);
});

describe('CommunicationsTab', () => {
  it("lists core's peers with status, name and AS, exchanges, policy, sessions, last contact and note", async () => {
    open();
    await loaded();
    expect(rowAsns()).toEqual([64500, 64501, 64502]);
    expect(messaging.listPeers).toHaveBeenCalledWith({});
    const bravo = within(screen.getByTestId('peer-row-64501'));
    expect(bravo.getByText('Bravo Telecom')).toBeTruthy();
    expect(bravo.getByText('AS64501')).toBeTruthy();
    expect(bravo.getByText('Request Sent')).toBeTruthy();
    // Request Sent shows how many requests went out and when the last did.
    expect(bravo.getByTestId('peer-requests-64501').textContent).toMatch(/^2× · 2025-03-0[45]$/);
    expect(bravo.getByTestId('peer-history-64501').textContent).toContain('Sent "Peering request"');
    expect(within(screen.getByTestId('peer-row-64500')).getByText('DEMO-IX Frankfurt, DEMO-IX Amsterdam')).toBeTruthy();
    expect(within(screen.getByTestId('peer-row-64500')).getByText('Never')).toBeTruthy();
    expect(screen.getByTestId('peer-status-64502').getAttribute('data-status')).toBe('approved');
    expect(screen.getByTestId('comms-count').textContent).toContain('3 peers');
  });

  it("offers exactly the actions core lists for each row, in the guide's words", async () => {
    const user = open();
    await loaded();

    await user.click(screen.getByTestId('peer-actions-64500'));
    expect(menuItems()).toEqual(['action-markExisting', 'action-markNotQualified', 'action-sendRequest', 'action-markRequestReceived']);
    expect(screen.getByTestId('action-markExisting').textContent!.trim()).toBe('Mark Existing');
    expect(screen.getByTestId('action-sendRequest').textContent!.trim()).toBe('Send Request');
    await user.keyboard('{Escape}');

    await user.click(screen.getByTestId('peer-actions-64501'));
    expect(menuItems()).toEqual([
      'action-resendRequest',
      'action-markRequestReceived',
      'action-markApproved',
      'action-markRejected',
      'action-resetStatus',
    ]);
    expect(screen.getByTestId('action-resetStatus').textContent!.trim()).toBe('Reset Status');
    await user.keyboard('{Escape}');

    await user.click(screen.getByTestId('peer-actions-64502'));
    expect(menuItems()).toEqual(['action-resetStatus', 'action-configureSessions']);
  });

  it("Configure Sessions opens that modal with core's view of the peer, changing no status", async () => {
    peering.configureSessionsCandidates.mockResolvedValue({ asn: 64502, networkName: 'Charlie Cloud', exchanges: [] });
    const user = open();
    await loaded();
    await user.click(screen.getByTestId('peer-actions-64502'));
    const item = screen.getByTestId('action-configureSessions');
    expect(item.textContent!.trim()).toBe('Configure Sessions');
    expect(item.getAttribute('aria-disabled')).not.toBe('true');
    await user.click(item);
    expect(await screen.findByTestId('configure-dialog')).toBeTruthy();
    expect(peering.configureSessionsCandidates).toHaveBeenCalledWith(64502, undefined);
    expect(await screen.findByTestId('configure-empty')).toBeTruthy();
    expect(messaging.applyPeerAction).not.toHaveBeenCalled();
  });

  it('Mark Existing goes to core and the row then shows the green check and the actions core now lists', async () => {
    messaging.applyPeerAction.mockResolvedValue('existing');
    const user = open();
    await loaded();
    expect(screen.getByTestId('peer-status-64500').getAttribute('data-status')).toBe('new');

    messaging.listPeers.mockResolvedValue([
      { ...ALPHA, status: 'existing', actions: ['resetStatus', 'configureSessions'], lastNote: 'Mark Existing: new → existing' },
      BRAVO,
      CHARLIE,
    ]);
    await user.click(screen.getByTestId('peer-actions-64500'));
    await user.click(screen.getByTestId('action-markExisting'));

    expect(messaging.applyPeerAction).toHaveBeenCalledWith(64500, 'markExisting');
    await waitFor(() => expect(screen.getByTestId('peer-history-64500').textContent).toContain('Mark Existing: new → existing'));
    const icon = screen.getByTestId('peer-status-64500');
    expect(icon.getAttribute('data-status')).toBe('existing');
    expect(icon.classList.contains('good')).toBe(true);
    expect(icon.textContent).toContain('Existing');
    // The row was read again from core, with the filters as they were.
    expect(messaging.listPeers).toHaveBeenLastCalledWith({});
    await user.click(screen.getByTestId('peer-actions-64500'));
    expect(menuItems()).toEqual(['action-resetStatus', 'action-configureSessions']);
    expect(toasts.items.map((t) => t.kind)).toEqual(['success']);
  });

  it('Mark Not Qualified puts the red icon on the row', async () => {
    messaging.applyPeerAction.mockResolvedValue('not_qualified');
    const user = open();
    await loaded();
    messaging.listPeers.mockResolvedValue([{ ...ALPHA, status: 'not_qualified', actions: ['resetStatus'] }, BRAVO, CHARLIE]);
    await user.click(screen.getByTestId('peer-actions-64500'));
    await user.click(screen.getByTestId('action-markNotQualified'));
    await waitFor(() => expect(screen.getByTestId('peer-status-64500').getAttribute('data-status')).toBe('not_qualified'));
    expect(screen.getByTestId('peer-status-64500').classList.contains('bad')).toBe(true);
  });

  it('says in a toast when core refuses an action, and keeps the row as core has it', async () => {
    messaging.applyPeerAction.mockRejectedValue(
      new ApiError('invalid', 'Mark Approved is not possible while the peer is new', 'action'),
    );
    const user = open();
    await loaded();
    await user.click(screen.getByTestId('peer-actions-64501'));
    await user.click(screen.getByTestId('action-markApproved'));
    await waitFor(() =>
      expect(toasts.items.map((t) => [t.kind, t.message])).toEqual([
        ['error', 'Mark Approved is not possible while the peer is new'],
      ]),
    );
    expect(screen.getByTestId('peer-status-64501').getAttribute('data-status')).toBe('request_sent');
  });

  it("Send Request opens the editor with core's draft for the peer", async () => {
    messaging.draftRequest.mockResolvedValue(draft());
    const user = open();
    await loaded();
    await user.click(screen.getByTestId('peer-actions-64500'));
    await user.click(screen.getByTestId('action-sendRequest'));
    expect(messaging.draftRequest).toHaveBeenCalledWith(64500);
    await waitFor(() => expect(screen.getByTestId('email-editor')).toBeTruthy());
    expect((screen.getByTestId('email-to') as HTMLInputElement).value).toBe('peering@alpha.example');
    expect((screen.getByTestId('email-subject') as HTMLInputElement).value).toBe('Peering request: AS64496 and AS64500');
    expect((screen.getByTestId('email-body') as HTMLTextAreaElement).value).toBe('Hello Alpha,\n\nwe would like to peer.\n');
    expect(screen.queryByTestId('email-warning')).toBeNull();
  });

  it("Resend Request shows core's cool-down warning, and the request can still be sent", async () => {
    messaging.draftResend.mockResolvedValue(
      draft({ asn: 64501, kind: 'resend', warning: 'The last request went out 2 day(s) ago, inside the 7-day cool-down.' }),
    );
    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => ({
      message: { id: 9, asn: d.asn, kind: d.kind, to: d.to, cc: '', bcc: '', subject: d.subject, body: d.body, messageId: 'x', state: 'sent', attempts: 1, lastError: '', createdAt: '', sentAt: '' },
      status: 'request_sent',
    }));
    const user = open();
    await loaded();
    await user.click(screen.getByTestId('peer-actions-64501'));
    await user.click(screen.getByTestId('action-resendRequest'));
    expect(messaging.draftResend).toHaveBeenCalledWith(64501);
    const warning = await screen.findByTestId('email-warning');
    expect(warning.textContent).toContain('inside the 7-day cool-down');

    const calls = messaging.listPeers.mock.calls.length;
    await user.click(screen.getByTestId('email-send'));
    expect(messaging.sendEmail).toHaveBeenCalledWith(expect.objectContaining({ asn: 64501, kind: 'resend' }));
    await waitFor(() => expect(screen.queryByTestId('email-editor')).toBeNull());
    // After sending, the list is read again (the status and count changed in core).
    await waitFor(() => expect(messaging.listPeers.mock.calls.length).toBeGreaterThan(calls));
  });

  it('hands the filters to core: text, status, exchange, policy and last contact before', async () => {
    const user = open();
    await loaded();
    await waitFor(() => expect((screen.getByTestId('comms-filter-exchange') as HTMLSelectElement).options.length).toBe(3));

    await user.selectOptions(screen.getByTestId('comms-filter-status'), 'request_sent');
    await waitFor(() => expect(messaging.listPeers).toHaveBeenLastCalledWith({ status: 'request_sent' }));
    await user.selectOptions(screen.getByTestId('comms-filter-exchange'), '2');
    await waitFor(() => expect(messaging.listPeers).toHaveBeenLastCalledWith({ status: 'request_sent', exchangeId: 2 }));
    await user.selectOptions(screen.getByTestId('comms-filter-policy'), 'Selective');
    await user.type(screen.getByTestId('comms-filter-contacted-before'), '2025-03-01');
    await user.type(screen.getByTestId('comms-filter-text'), 'AS6450');
    await waitFor(() =>
      expect(messaging.listPeers).toHaveBeenLastCalledWith({
        text: 'AS6450',
        status: 'request_sent',
        exchangeId: 2,
        policy: 'Selective',
        contactedBefore: '2025-03-01',
      }),
    );

    await user.click(screen.getByTestId('comms-filter-clear'));
    await waitFor(() => expect(messaging.listPeers).toHaveBeenLastCalledWith({}));
  });

  it('shows only the rows core returned for a filter', async () => {
    const user = open();
    await loaded();
    messaging.listPeers.mockImplementation(async (f: { status?: string }) =>
      [ALPHA, BRAVO, CHARLIE].filter((p) => !f.status || p.status === f.status),
    );
    await user.selectOptions(screen.getByTestId('comms-filter-status'), 'approved');
    await waitFor(() => expect(rowAsns()).toEqual([64502]));
  });

  it('groups by exchange: a header per exchange, then its peers; a peer at two exchanges under both', async () => {
    const user = open();
    await loaded();
    await user.click(screen.getByTestId('comms-by-exchange'));

    const lines = screen
      .getAllByTestId(/^(comms-group-\w+|peer-row-\d+)$/)
      .map((el) => el.getAttribute('data-testid'));
    expect(lines).toEqual([
      'comms-group-2',
      'peer-row-64500',
      'peer-row-64502',
      'comms-group-1',
      'peer-row-64500',
      'peer-row-64501',
    ]);
    expect(screen.getByTestId('comms-group-2').textContent).toContain('DEMO-IX Amsterdam');
    expect(screen.getByTestId('comms-group-2').textContent).toContain('2 peers');
    expect(screen.getByTestId('comms-group-1').textContent).toContain('DEMO-IX Frankfurt');

    await user.click(screen.getByTestId('comms-by-peer'));
    expect(rowAsns()).toEqual([64500, 64501, 64502]);
    expect(screen.queryByTestId(/^comms-group-/)).toBeNull();
  });

  it('opens the full history of a peer from its note: every status change and email with its time', async () => {
    messaging.peerHistory.mockResolvedValue([
      { at: '2025-03-04T10:00:00Z', kind: 'email', summary: 'Sent "Peering request" to peering@bravo.example', messageId: 7 },
      { at: '2025-03-04T09:59:00Z', kind: 'status', summary: 'Send Request: new → request_sent', messageId: null },
    ]);
    messaging.listMessages.mockResolvedValue([
      { id: 7, asn: 64501, kind: 'request', to: 'peering@bravo.example', cc: '', bcc: '', subject: 'Peering request', body: 'Hello Bravo', messageId: 'm', state: 'sent', attempts: 1, lastError: '', createdAt: '2025-03-04T10:00:00Z', sentAt: '2025-03-04T10:00:00Z' },
    ]);
    const user = open();
    await loaded();
    await user.click(screen.getByTestId('peer-history-64501'));
    expect(messaging.peerHistory).toHaveBeenCalledWith(64501);
    await waitFor(() => expect(screen.getAllByTestId('history-entry')).toHaveLength(2));
    const [email, status] = screen.getAllByTestId('history-entry');
    expect(email.textContent).toContain('Sent "Peering request" to peering@bravo.example');
    expect(email.textContent).toMatch(/2025-03-04 \d\d:\d\d/);
    expect(status.textContent).toContain('Send Request: new → request_sent');
    await user.click(screen.getByTestId('history-show-message-7'));
    expect(screen.getByTestId('history-message-7').textContent).toContain('Hello Bravo');
  });
});
