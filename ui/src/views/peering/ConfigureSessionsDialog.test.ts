// The Configure Sessions modal against mocked api modules: it shows core's
// exchanges and rows with their defaults; "Select all networks" checks one
// exchange's rows and "Select all exchanges" every row (rows without a router
// stay out); a changed peer group and the Schedule time (one hour ahead by
// default) go to core as chosen; Configure Now shows core's review per router
// (a router's error included), then the progress core reports and the
// per-session results (sessions queued for a router that cannot be reached say
// so, naming the router); core's refusal shows inline and nothing is scheduled.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { ConfigureProgress } from '$lib/bindings/ConfigureProgress';
import type { ConfigureReport } from '$lib/bindings/ConfigureReport';
import type { ConfigureSessionsView } from '$lib/bindings/ConfigureSessionsView';
import type { Job } from '$lib/bindings/Job';
import type { RouterConfigPreview } from '$lib/bindings/RouterConfigPreview';

const peering = vi.hoisted(() => ({
  configureSessionsCandidates: vi.fn(),
  prepareConfigureSessions: vi.fn(),
  previewConfigureSessions: vi.fn(),
}));
const jobs = vi.hoisted(() => ({ configureSessionsNow: vi.fn(), scheduleConfigureSessions: vi.fn() }));
const events = vi.hoisted(() => ({
  progress: null as ((p: ConfigureProgress) => void) | null,
  onConfigureProgress: vi.fn(),
}));
vi.mock('$lib/api/peering', () => peering);
vi.mock('$lib/api/jobs', () => jobs);
vi.mock('$lib/api/events', () => events);

import ConfigureSessionsDialog from './ConfigureSessionsDialog.svelte';
import { inOneHour } from './configureSelection';

const VIEW: ConfigureSessionsView = {
  asn: 64500,
  networkName: 'Alpha Networks',
  exchanges: [
    {
      exchangeId: 1,
      exchangeName: 'DEMO-IX Frankfurt',
      routers: [
        { id: 10, name: 'edge1', platform: 'frr' },
        { id: 11, name: 'edge2', platform: 'bird2' },
      ],
      peerGroups: [
        { id: 100, name: 'IX-V4', routerId: 10, family: 'ipv4', sessionType: 'peer' },
        { id: 101, name: 'IX-V4-RS', routerId: 10, family: 'ipv4', sessionType: 'route_server' },
        { id: 102, name: 'IX-V6', routerId: 10, family: 'ipv6', sessionType: 'peer' },
        { id: 110, name: 'E2-V4', routerId: 11, family: 'ipv4', sessionType: 'peer' },
      ],
      rows: [
        {
          sessionId: 7,
          peerIp: '192.0.2.100',
          ipVersion: 4,
          routerId: 10,
          routerIds: [10, 11],
          peerGroupId: 100,
          sessionType: 'peer',
          configState: 'not_configured',
          bgpState: null,
        },
        {
          sessionId: null,
          peerIp: '2001:db8:1::100',
          ipVersion: 6,
          routerId: 10,
          routerIds: [10],
          peerGroupId: 102,
          sessionType: 'peer',
          configState: null,
          bgpState: null,
        },
      ],
      notes: [],
    },
    {
      exchangeId: 2,
      exchangeName: 'DEMO-IX Amsterdam',
      routers: [{ id: 12, name: 'edge3', platform: 'frr' }],
      peerGroups: [{ id: 120, name: 'AMS-V4', routerId: 12, family: 'ipv4', sessionType: 'peer' }],
      rows: [
        {
          sessionId: null,
          peerIp: '198.51.100.100',
          ipVersion: 4,
          routerId: 12,
          routerIds: [12],
          peerGroupId: 120,
          sessionType: 'peer',
          configState: null,
          bgpState: null,
        },
        {
          sessionId: null,
          peerIp: '2001:db8:2::100',
          ipVersion: 6,
          routerId: null,
          routerIds: [],
          peerGroupId: null,
          sessionType: 'peer',
          configState: null,
          bgpState: null,
        },
      ],
      notes: ['2001:db8:2::100: no router here has an IPv6 address'],
    },
  ],
};

const job: Job = {
  id: 5,
  kind: 'configureSessions',
  title: 'Configure 2 sessions on edge1',
  runAt: '2026-11-27T22:00:00Z',
  status: 'scheduled',
  sessionIds: [7, 8],
  routerIds: [],
  everyMinutes: null,
  createdAt: '2026-11-27T21:00:00Z',
  startedAt: null,
  finishedAt: null,
  result: '',
  log: [],
};

function open() {
  const user = userEvent.setup();
  const onclose = vi.fn();
  const onchanged = vi.fn();
  render(ConfigureSessionsDialog, { asn: 64500, onclose, onchanged });
  return { user, onclose, onchanged };
}

const box = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const select = (id: string) => screen.getByTestId(id) as HTMLSelectElement;

beforeEach(() => {
  peering.configureSessionsCandidates.mockReset().mockResolvedValue(structuredClone(VIEW));
  peering.prepareConfigureSessions.mockReset().mockResolvedValue([7, 8]);
  peering.previewConfigureSessions.mockReset();
  jobs.configureSessionsNow.mockReset();
  jobs.scheduleConfigureSessions.mockReset().mockResolvedValue(job);
  events.progress = null;
  events.onConfigureProgress.mockReset().mockImplementation(async (h: (p: ConfigureProgress) => void) => {
    events.progress = h;
    return () => (events.progress = null);
  });
});

describe('ConfigureSessionsDialog', () => {
  it("lists core's exchanges and rows with their defaults, nothing checked, and core's notes", async () => {
    open();
    await screen.findByTestId('configure-exchange-1');
    expect(peering.configureSessionsCandidates).toHaveBeenCalledWith(64500, undefined);
    expect(screen.getByTestId('configure-exchange-2')).toBeTruthy();
    expect(select('configure-router-1-192.0.2.100').value).toBe('10');
    expect(select('configure-pg-1-192.0.2.100').value).toBe('100');
    // Only the groups of the row's router and family are offered.
    const offered = Array.from(select('configure-pg-1-192.0.2.100').options).map((o) => o.textContent);
    expect(offered).toEqual(['(none)', 'IX-V4', 'IX-V4-RS']);
    expect(box('configure-check-1-192.0.2.100').checked).toBe(false);
    expect(box('configure-check-2-2001:db8:2::100').disabled).toBe(true);
    expect(screen.getByTestId('configure-note').textContent).toContain('no router here has an IPv6 address');
    expect(box('configure-now').disabled).toBe(true);
  });

  it('Select all networks checks one exchange; Select all exchanges every row that has a router; unchecking one leaves them partly checked', async () => {
    const { user } = open();
    await screen.findByTestId('configure-exchange-1');

    await user.click(box('configure-select-all-networks-1'));
    expect(box('configure-check-1-192.0.2.100').checked).toBe(true);
    expect(box('configure-check-1-2001:db8:1::100').checked).toBe(true);
    expect(box('configure-check-2-198.51.100.100').checked).toBe(false);
    expect(box('configure-select-all-exchanges').indeterminate).toBe(true);

    await user.click(box('configure-select-all-exchanges'));
    expect(box('configure-check-2-198.51.100.100').checked).toBe(true);
    expect(box('configure-check-2-2001:db8:2::100').checked).toBe(false);
    expect(box('configure-select-all-exchanges').checked).toBe(true);
    expect(box('configure-select-all-networks-2').checked).toBe(true);
    expect(screen.getByTestId('configure-count').textContent).toContain('3 sessions');

    await user.click(box('configure-check-1-2001:db8:1::100'));
    expect(box('configure-select-all-networks-1').indeterminate).toBe(true);
    expect(box('configure-select-all-exchanges').checked).toBe(false);

    await user.click(box('configure-select-all-exchanges'));
    await user.click(box('configure-select-all-exchanges'));
    expect(screen.getByTestId('configure-count').textContent).toContain('0 sessions');
  });

  it('a changed router takes its first group of the family; a changed group its peer type', async () => {
    const { user } = open();
    await screen.findByTestId('configure-exchange-1');
    await user.selectOptions(select('configure-pg-1-192.0.2.100'), '101');
    expect(select('configure-type-1-192.0.2.100').value).toBe('route_server');
    await user.selectOptions(select('configure-router-1-192.0.2.100'), '11');
    expect(select('configure-pg-1-192.0.2.100').value).toBe('110');
    expect(select('configure-type-1-192.0.2.100').value).toBe('peer');
  });

  it('Schedule shows one hour ahead, sends the chosen rows with the changed group, then says where the job is', async () => {
    const before = inOneHour(new Date());
    const { user, onchanged } = open();
    await screen.findByTestId('configure-exchange-1');
    const at = box('configure-schedule-at');
    expect([before, inOneHour(new Date())]).toContain(at.value);

    await user.click(box('configure-select-all-networks-1'));
    await user.selectOptions(select('configure-pg-1-192.0.2.100'), '101');
    await user.clear(at);
    await user.type(at, '2030-01-02T03:04');
    await user.click(screen.getByTestId('configure-schedule'));

    await screen.findByTestId('configure-scheduled');
    expect(peering.prepareConfigureSessions).toHaveBeenCalledWith({
      asn: 64500,
      rows: [
        { sessionId: 7, exchangeId: 1, peerIp: '192.0.2.100', routerId: 10, peerGroupId: 101, sessionType: 'route_server' },
        { exchangeId: 1, peerIp: '2001:db8:1::100', routerId: 10, peerGroupId: 102, sessionType: 'peer' },
      ],
    });
    expect(jobs.scheduleConfigureSessions).toHaveBeenCalledWith([7, 8], new Date('2030-01-02T03:04').toISOString());
    expect(screen.getByTestId('configure-scheduled').textContent).toContain('Scheduler');
    expect(screen.getByTestId('configure-scheduled').textContent).toContain('Configure 2 sessions on edge1');
    expect(onchanged).toHaveBeenCalled();
    expect(jobs.configureSessionsNow).not.toHaveBeenCalled();
  });

  it("core's refusal shows inline, the rows stay as chosen, and nothing is scheduled", async () => {
    peering.prepareConfigureSessions.mockRejectedValue(
      new ApiError('conflict', '192.0.2.100: configured on edge1: remove it from that router before moving it', 'routerId'),
    );
    const { user } = open();
    await screen.findByTestId('configure-exchange-1');
    await user.click(box('configure-check-1-192.0.2.100'));
    await user.click(screen.getByTestId('configure-schedule'));
    expect((await screen.findByTestId('form-error')).textContent).toContain('remove it from that router');
    expect(box('configure-check-1-192.0.2.100').checked).toBe(true);
    expect(jobs.scheduleConfigureSessions).not.toHaveBeenCalled();
  });

  it("Configure Now: core's review per router, then progress, then each session's result", async () => {
    const previews: RouterConfigPreview[] = [
      {
        routerId: 10,
        routerName: 'edge1',
        platform: 'frr',
        sessionIds: [7, 8],
        current: 'neighbor 192.0.2.100 description old\n',
        proposed: 'router bgp 64496\n neighbor 192.0.2.100 remote-as 64500\n',
        diff: [
          { kind: 'same', text: 'neighbor 192.0.2.100 description old' },
          { kind: 'added', text: 'neighbor 192.0.2.100 remote-as 64500' },
        ],
        error: null,
      },
      {
        routerId: 12,
        routerName: 'edge3',
        platform: 'frr',
        sessionIds: [9],
        current: '',
        proposed: 'router bgp 64496\n neighbor 198.51.100.100 remote-as 64500\n',
        diff: [],
        error: { kind: 'unreachable', message: 'edge3 (192.0.2.250:22) did not answer', field: null },
      },
    ];
    peering.prepareConfigureSessions.mockResolvedValue([7, 8, 9]);
    peering.previewConfigureSessions.mockResolvedValue(previews);
    let finish: (r: ConfigureReport) => void = () => {};
    jobs.configureSessionsNow.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const { user } = open();
    await screen.findByTestId('configure-exchange-1');
    await user.click(box('configure-select-all-exchanges'));
    await user.click(screen.getByTestId('configure-now'));

    await screen.findByTestId('configure-review');
    expect(peering.previewConfigureSessions).toHaveBeenCalledWith([7, 8, 9]);
    expect(screen.getByTestId('configure-review-diff-10').textContent).toContain('+ neighbor 192.0.2.100 remote-as 64500');
    expect(screen.queryByTestId('configure-review-diff-12')).toBeNull();
    expect(screen.getByTestId('configure-review-current-10').textContent).toContain('description old');
    expect(screen.getByTestId('configure-review-proposed-10').textContent).toContain('neighbor 192.0.2.100 remote-as 64500');
    const err = screen.getByTestId('configure-review-error-12');
    expect(err.getAttribute('data-kind')).toBe('unreachable');
    expect(screen.getByTestId('configure-review-proposed-12').textContent).toContain('198.51.100.100');
    expect(jobs.configureSessionsNow).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('configure-send'));
    await screen.findByTestId('configure-running');
    expect(jobs.configureSessionsNow).toHaveBeenCalledWith([7, 8, 9], 60);
    await waitFor(() => expect(events.progress).not.toBeNull());
    events.progress!({
      routerId: 10,
      routerName: 'edge1',
      routersDone: 0,
      routersTotal: 2,
      sessionsDone: 1,
      sessionsTotal: 3,
      message: 'pushing 2 sessions',
    });
    await waitFor(() =>
      expect(screen.getByTestId('configure-progress-message').textContent).toContain('edge1: pushing 2 sessions (1 of 3)'),
    );

    finish({
      routers: [
        {
          routerId: 10,
          routerName: 'edge1',
          errorKind: null,
          error: null,
          sessions: [
            { sessionId: 7, peerIp: '192.0.2.100', asn: 64500, networkName: 'Alpha Networks', result: 'configured', bgpState: 'established', message: 'Established' },
            { sessionId: 8, peerIp: '2001:db8:1::100', asn: 64500, networkName: 'Alpha Networks', result: 'waitingForPeer', bgpState: 'active', message: 'configured, waiting for peer' },
          ],
          log: ['0 ms  connected'],
        },
        {
          routerId: 12,
          routerName: 'edge3',
          errorKind: 'unreachable',
          error: 'edge3 (192.0.2.250:22) did not answer',
          sessions: [
            { sessionId: 9, peerIp: '198.51.100.100', asn: 64500, networkName: 'Alpha Networks', result: 'failed', bgpState: null, message: 'edge3 did not answer' },
          ],
          log: [],
        },
      ],
      configured: 1,
      waitingForPeer: 1,
      failed: 1,
      queued: 0,
      message: '1 configured, 1 waiting for peer, 1 failed',
    });
    const results = await screen.findByTestId('configure-results');
    expect(within(results).getByTestId('configure-result-7').getAttribute('data-result')).toBe('configured');
    expect(within(results).getByTestId('configure-result-8').getAttribute('data-result')).toBe('waitingForPeer');
    expect(within(results).getByTestId('configure-result-9').getAttribute('data-result')).toBe('failed');
    expect(within(results).getByTestId('configure-router-error-12').getAttribute('data-kind')).toBe('unreachable');
    await waitFor(() => expect(events.progress).toBeNull());
  });

  it('Configure Now for a router that cannot be reached shows each session queued for that router', async () => {
    peering.prepareConfigureSessions.mockResolvedValue([9]);
    peering.previewConfigureSessions.mockResolvedValue([
      {
        routerId: 12,
        routerName: 'edge3',
        platform: 'frr',
        sessionIds: [9],
        current: '',
        proposed: 'router bgp 64496\n neighbor 198.51.100.100 remote-as 64500\n',
        diff: [],
        error: { kind: 'unreachable', message: 'edge3 (192.0.2.250:22) did not answer', field: null },
      },
    ]);
    jobs.configureSessionsNow.mockResolvedValue({
      routers: [
        {
          routerId: 12,
          routerName: 'edge3',
          errorKind: null,
          error: null,
          sessions: [
            {
              sessionId: 9,
              peerIp: '198.51.100.100',
              asn: 64500,
              networkName: 'Alpha Networks',
              result: 'queued',
              bgpState: null,
              message: 'edge3 cannot be reached (connection refused). add of 198.51.100.100 is queued and will be applied when edge3 is reachable.',
            },
          ],
          log: ['cannot be reached (connection refused): the changes are queued in its outbox'],
        },
      ],
      configured: 0,
      waitingForPeer: 0,
      failed: 0,
      queued: 1,
      message: '0 configured and Established, 1 queued for routers that could not be reached (applied when they are reachable)',
    } satisfies ConfigureReport);
    const { user, onchanged } = open();
    await screen.findByTestId('configure-exchange-2');
    await user.click(box('configure-select-all-networks-2'));
    await user.click(screen.getByTestId('configure-now'));
    await screen.findByTestId('configure-review');
    await user.click(screen.getByTestId('configure-send'));

    const results = await screen.findByTestId('configure-results');
    const row = within(results).getByTestId('configure-result-9');
    expect(row.getAttribute('data-result')).toBe('queued');
    expect(row.textContent).toContain('Queued for edge3: applied when it is reachable');
    expect(row.textContent).not.toContain('Failed');
    expect(within(results).queryByTestId('configure-router-error-12')).toBeNull();
    expect(screen.getByTestId('configure-results-message').textContent).toContain('1 queued');
    expect(onchanged).toHaveBeenCalled();
  });

  it('from a session wrench it asks core for that one session and checks it', async () => {
    const one: ConfigureSessionsView = { ...VIEW, exchanges: [{ ...VIEW.exchanges[0], rows: [VIEW.exchanges[0].rows[0]] }] };
    peering.configureSessionsCandidates.mockResolvedValue(one);
    render(ConfigureSessionsDialog, { asn: 64500, onlySession: 7, onclose: vi.fn() });
    await screen.findByTestId('configure-exchange-1');
    expect(peering.configureSessionsCandidates).toHaveBeenCalledWith(64500, 7);
    expect(box('configure-check-1-192.0.2.100').checked).toBe(true);
    expect(screen.queryByTestId('configure-select-all-exchanges')).toBeNull();
  });
});
