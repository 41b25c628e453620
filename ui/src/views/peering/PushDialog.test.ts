// The router-configuration actions of a session, from the wrench to the router
// and back (the devices API mocked): 1 click config previews and sends nothing
// before Send; Config Manager has core re-render its one-time overrides and
// sends exactly those; an untrusted host key leads to the host key dialog and
// the fingerprint shown is the one trusted; a changed key is a warning with an
// explicit accept; a refused push shows the router's own message; a router
// that cannot be reached gets the change queued (push_or_queue), for every
// operation. Send calls sync's pushOrQueue with the lines the preview showed;
// `corePush` below stands for core's push behind it when the router answers.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { OutboxItem } from '$lib/bindings/OutboxItem';
import type { PushOutcome } from '$lib/bindings/PushOutcome';
import type { PushPreview } from '$lib/bindings/PushPreview';
import type { Session } from '$lib/bindings/Session';

const api = vi.hoisted(() => ({
  previewPush: vi.fn(),
  renderSessionConfig: vi.fn(),
  routerHostKey: vi.fn(),
  probeRouterHostKey: vi.fn(),
  trustRouterHostKey: vi.fn(),
  refreshSessionStates: vi.fn(),
  refreshExchangeStates: vi.fn(),
}));
vi.mock('$lib/api/devices', () => api);
const sync = vi.hoisted(() => ({ pushOrQueue: vi.fn() }));
const corePush = vi.hoisted(() => vi.fn());
vi.mock('$lib/api/sync', () => sync);

import { configDialogs } from './configDialogs.svelte';
import ConfigDialogHost from './ConfigDialogHost.svelte';
import { sessionActions } from './sessionActions';

const session: Session = {
  id: 17,
  sessionType: 'peer',
  exchangeId: 2,
  exchangeName: 'Test-IX',
  routerId: 3,
  routerName: 'r1',
  peerGroupId: null,
  peerGroupName: null,
  networkId: 9,
  asn: 64500,
  networkName: 'Alpha Networks',
  peerIp: '192.0.2.10',
  ipVersion: 4,
  md5Ref: 'session-17-md5',
  md5Needed: false,
  adminState: 'up',
  configState: 'not_configured',
  bgpState: null,
  bgpRefreshedAt: null,
  notes: '',
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
};

const preview: PushPreview = {
  routerName: 'r1',
  platform: 'frr',
  current: '',
  proposed: 'router bgp 64496\n neighbor 192.0.2.10 remote-as 64500\n neighbor 192.0.2.10 password ********\n',
  diff: [
    { kind: 'removed', text: 'neighbor 192.0.2.10 description Old' },
    { kind: 'added', text: 'neighbor 192.0.2.10 remote-as 64500' },
    { kind: 'same', text: 'neighbor 192.0.2.10 password ********' },
  ],
};

const outcome: PushOutcome = {
  session: { ...session, configState: 'configured', bgpState: 'established' },
  sent: preview.proposed,
  rolledBack: false,
  bgpState: 'established',
  message: 'configured; the session is Established',
  log: ['    10 ms  connected to 127.0.0.1:2201 as lab', '  2100 ms  session Established'],
};

const FP = 'SHA256:q0VXv0nBxR0SWmO3iWm8HOdtBe0n3Y4cWk7o0uH7uAo';
const OLD_FP = 'SHA256:Ckq1r8d3s0Lr0HnqOq9m1d7mYwXhA0g7Lr4a7t2x0fE';

/** A promise the test settles, to look at the dialog while core is busy. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function openAction(id: string) {
  const onchanged = vi.fn();
  render(ConfigDialogHost, { props: { onchanged } });
  const h = { edit: vi.fn(), remove: vi.fn(), networkDetail: vi.fn(), email: vi.fn() };
  const action = sessionActions(h).find((a) => a.id === id);
  if (!action) throw new Error(`no action ${id}`);
  void action.run(session);
  return { onchanged, user: userEvent.setup() };
}

beforeEach(() => {
  configDialogs.close();
  for (const f of Object.values(api)) f.mockReset();
  api.previewPush.mockResolvedValue(preview);
  api.routerHostKey.mockResolvedValue(null);
  corePush.mockReset();
  sync.pushOrQueue.mockReset();
  sync.pushOrQueue.mockImplementation(async (...args: unknown[]) => ({
    outcome: 'pushed',
    push: await corePush(...args),
    item: { ...queuedItem, status: 'applied', appliedAt: '2025-01-01T00:00:01Z' },
  }));
});

const queuedItem: OutboxItem = {
  id: 41,
  routerId: 3,
  routerName: 'r1',
  sessionId: 17,
  peerIp: '192.0.2.10',
  asn: 64500,
  networkName: 'Alpha Networks',
  operation: 'add',
  overrides: {},
  rendered: preview.proposed,
  reviewedCurrent: null,
  diff: [],
  status: 'approved',
  position: 1,
  approvedBy: 'Alex Example',
  approvedAt: '2025-01-01T00:00:00Z',
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  appliedAt: null,
  lastError: '',
  thenDelete: false,
};
const queuedMessage =
  'r1 cannot be reached (127.0.0.1:2201: Connection refused). add of 192.0.2.10 is queued and will be applied when r1 is reachable.';

describe('a router that cannot be reached', () => {
  it('queues the change from the failed preview and says it will be applied when the router is reachable', async () => {
    api.previewPush.mockRejectedValue(new ApiError('unreachable', 'r1 (127.0.0.1:2201): Connection refused'));
    sync.pushOrQueue.mockResolvedValue({ outcome: 'queued', item: queuedItem, message: queuedMessage });
    const { onchanged, user } = openAction('one-click-config');
    const error = await screen.findByTestId('push-error');
    expect(error.dataset.kind).toBe('unreachable');
    expect(sync.pushOrQueue).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('push-queue'));
    const result = await screen.findByTestId('push-result');
    expect(result.dataset.outcome).toBe('queued');
    expect(screen.getByTestId('push-message').textContent).toContain(
      'Queued for r1: it will be applied when r1 is reachable.',
    );
    expect(screen.getByTestId('push-queued-detail').textContent).toBe(queuedMessage);
    expect(result.textContent).toContain('Alex Example');
    expect(sync.pushOrQueue.mock.calls[0].slice(0, 3)).toEqual([17, 'add', {}]);
    expect(onchanged).toHaveBeenCalledTimes(1);
  });

  it('offers no queueing for other failures (a wrong password needs the user now)', async () => {
    api.previewPush.mockRejectedValue(new ApiError('authFailed', 'the router refused the password for user lab'));
    openAction('one-click-config');
    await screen.findByTestId('push-error');
    expect(screen.queryByTestId('push-queue')).toBeNull();
  });

  it.each([
    ['one-click-config', 'add'],
    ['config-manager', 'add'],
    ['admin-down', 'shutdown'],
    ['admin-up', 'enable'],
    ['remove-from-router', 'remove'],
  ])('%s: a router gone between preview and Send gets %s queued', async (id, operation) => {
    sync.pushOrQueue.mockResolvedValue({
      outcome: 'queued',
      item: { ...queuedItem, operation },
      message: queuedMessage,
    });
    const { user } = openAction(id);
    await screen.findByTestId('push-proposed');
    await user.click(screen.getByTestId('push-send'));
    expect((await screen.findByTestId('push-result')).dataset.outcome).toBe('queued');
    expect(sync.pushOrQueue.mock.calls[0].slice(0, 3)).toEqual([17, operation, {}]);
    expect(corePush).not.toHaveBeenCalled();
  });
});

describe('1 click config', () => {
  it('previews the router and the exact text and sends it through push_or_queue (add, no overrides, the lines reviewed) only after Send', async () => {
    const push = deferred<PushOutcome>();
    corePush.mockReturnValue(push.promise);
    const { onchanged, user } = openAction('one-click-config');

    const proposed = await screen.findByTestId('push-proposed');
    expect(api.previewPush).toHaveBeenCalledWith(17, 'add', {});
    expect(proposed.textContent).toBe(preview.proposed);
    expect(proposed.textContent).toContain('password ********');
    expect(screen.getByTestId('push-current').textContent).toContain('no configuration for this neighbour');
    expect(screen.getByTestId('push-router').textContent).toBe('r1');
    // Previewing connects but changes nothing: no push before Send.
    expect(corePush).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('push-send'));
    expect(corePush).toHaveBeenCalledTimes(1);
    expect(corePush.mock.calls[0].slice(0, 3)).toEqual([17, 'add', {}]);
    expect(corePush.mock.calls[0][4]).toBe(preview.current);
    expect(screen.getByTestId('push-spinner').textContent).toContain('Waiting for the session to come up…');

    push.resolve(outcome);
    const result = await screen.findByTestId('push-result');
    expect(result.dataset.outcome).toBe('done');
    expect(screen.getByTestId('push-message').textContent).toBe('configured; the session is Established');
    expect(screen.getByTestId('push-bgp-state').textContent).toContain('Established');
    expect(screen.getByTestId('push-log').textContent).toContain('session Established');
    // The Peering tab reloads its lists after a push.
    expect(onchanged).toHaveBeenCalledTimes(1);
  });

  it('shows the change as a diff from core: removed, added and kept lines marked', async () => {
    openAction('one-click-config');
    const diff = await screen.findByTestId('push-diff');
    const lines = [...diff.querySelectorAll<HTMLElement>('[data-kind]')].map((l) => [l.dataset.kind, l.textContent?.trim()]);
    expect(lines).toEqual([
      ['removed', '- neighbor 192.0.2.10 description Old'],
      ['added', '+ neighbor 192.0.2.10 remote-as 64500'],
      ['same', 'neighbor 192.0.2.10 password ********'],
    ]);
  });

  it('a router changed since the review: nothing sent, the new lines and diff shown, Send again sends with them', async () => {
    const changed: PushPreview = {
      ...preview,
      current: 'router bgp 64496\n neighbor 192.0.2.10 remote-as 64500\n',
      diff: [{ kind: 'same', text: 'neighbor 192.0.2.10 remote-as 64500' }],
    };
    sync.pushOrQueue.mockRejectedValueOnce(
      new ApiError(
        'conflict',
        "r1's configuration of 192.0.2.10 changed since it was reviewed; nothing was sent: review the new diff and send again",
        'reviewedCurrent',
      ),
    );
    const { user } = openAction('one-click-config');
    await screen.findByTestId('push-proposed');
    api.previewPush.mockResolvedValue(changed);
    await user.click(screen.getByTestId('push-send'));
    const notice = await screen.findByTestId('push-changed');
    expect(notice.textContent).toContain('nothing was sent');
    expect(notice.getAttribute('role')).toBe('alert');
    expect(api.previewPush).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('push-current').textContent).toContain('neighbor 192.0.2.10 remote-as 64500');
    expect(screen.getByTestId('push-diff').querySelectorAll('[data-kind="same"]').length).toBe(1);
    expect(screen.queryByTestId('push-result')).toBeNull();

    corePush.mockResolvedValue(outcome);
    await user.click(screen.getByTestId('push-send'));
    expect((await screen.findByTestId('push-result')).dataset.outcome).toBe('done');
    expect(sync.pushOrQueue).toHaveBeenCalledTimes(2);
    expect(sync.pushOrQueue.mock.calls[1][4]).toBe(changed.current);
  });

  it('sends nothing on Cancel, nor on Escape', async () => {
    const { user } = openAction('one-click-config');
    await screen.findByTestId('push-proposed');
    await user.click(screen.getByTestId('push-cancel'));
    expect(screen.queryByTestId('push-dialog')).toBeNull();

    void sessionActions({ edit: vi.fn(), remove: vi.fn(), networkDetail: vi.fn(), email: vi.fn() })
      .find((a) => a.id === 'one-click-config')!
      .run(session);
    await screen.findByTestId('push-proposed');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('push-dialog')).toBeNull();
    expect(corePush).not.toHaveBeenCalled();
  });

  it('shows a login or network failure in the dialog and says nothing was changed', async () => {
    api.previewPush.mockRejectedValue(new ApiError('authFailed', 'the router refused the password for user lab'));
    openAction('one-click-config');
    const error = await screen.findByTestId('push-error');
    expect(error.dataset.kind).toBe('authFailed');
    expect(error.textContent).toContain('the router refused the password for user lab');
    expect(error.textContent).toContain('Nothing was changed on the router.');
    expect(screen.queryByTestId('push-send')).toBeNull();
  });
});

describe('Config Manager', () => {
  it('has core re-render with the one-time overrides and sends exactly those', async () => {
    api.renderSessionConfig.mockImplementation(async (_id: number, _op: string, o: Record<string, unknown>) => ({
      platform: 'frr',
      operation: 'add',
      template: 'config/frr/add',
      text: `rendered by core: ${JSON.stringify(o)}`,
      maxPrefixSource: 'one-time override',
    }));
    corePush.mockResolvedValue(outcome);
    const { user } = openAction('config-manager');

    await screen.findByTestId('push-proposed');
    await user.type(screen.getByTestId('cm-description'), 'Alpha via Test-IX');
    await user.type(screen.getByTestId('cm-max-prefix'), '250');
    await user.type(screen.getByTestId('cm-import-policy'), 'ALPHA-IN');
    await user.type(screen.getByTestId('cm-export-policy'), 'OURS-OUT');

    const overrides = { description: 'Alpha via Test-IX', maxPrefix: 250, importPolicy: 'ALPHA-IN', exportPolicy: 'OURS-OUT' };
    await waitFor(() => expect(screen.getByTestId('push-proposed').textContent).toBe(`rendered by core: ${JSON.stringify(overrides)}`));
    expect(api.renderSessionConfig).toHaveBeenLastCalledWith(17, 'add', overrides);
    expect(corePush).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('push-send'));
    expect(corePush.mock.calls[0].slice(0, 3)).toEqual([17, 'add', overrides]);
    await screen.findByTestId('push-result');
  });
});

describe('Config Manager extra lines', () => {
  it('sends the extra lines for this push only and shows the diff core read for them', async () => {
    api.renderSessionConfig.mockImplementation(async (_id: number, _op: string, o: Record<string, unknown>) => ({
      platform: 'frr',
      operation: 'add',
      template: 'config/frr/add',
      text: `router bgp 64496\n${String(o.extraLines ?? '')}`,
      maxPrefixSource: 'none',
    }));
    api.previewPush.mockImplementation(async (_id: number, _op: string, o: Record<string, unknown>) =>
      o.extraLines
        ? { ...preview, diff: [{ kind: 'added', text: 'neighbor 192.0.2.10 timers 10 30' }] }
        : preview,
    );
    corePush.mockResolvedValue(outcome);
    const { user } = openAction('config-manager');
    await screen.findByTestId('push-proposed');
    await user.type(screen.getByTestId('cm-extra-lines'), ' neighbor 192.0.2.10 timers 10 30');

    const overrides = { extraLines: ' neighbor 192.0.2.10 timers 10 30' };
    await waitFor(() => expect(api.previewPush).toHaveBeenLastCalledWith(17, 'add', overrides));
    await waitFor(() =>
      expect(screen.getByTestId('push-diff').textContent).toContain('+ neighbor 192.0.2.10 timers 10 30'),
    );
    expect(screen.getByTestId('push-diff').textContent).not.toContain('description Old');
    await user.click(screen.getByTestId('push-send'));
    expect(corePush.mock.calls[0].slice(0, 3)).toEqual([17, 'add', overrides]);
  });

  it('shows a refused extra line inline on its field and does not send', async () => {
    api.renderSessionConfig.mockRejectedValue(
      new ApiError('invalid', 'line 1 has a character other than printable ASCII', 'extraLines'),
    );
    const { user } = openAction('config-manager');
    await screen.findByTestId('push-proposed');
    await user.type(screen.getByTestId('cm-extra-lines'), 'café');
    const error = await screen.findByTestId('error-extraLines');
    expect(error.textContent).toContain('printable ASCII');
    expect((screen.getByTestId('push-send') as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('host keys', () => {
  it('opens the host key dialog on hostKeyUnknown, trusts the fingerprint shown and returns to the preview', async () => {
    api.previewPush
      .mockRejectedValueOnce(new ApiError('hostKeyUnknown', `the router's ssh-ed25519 host key ${FP} is not trusted yet`))
      .mockResolvedValueOnce(preview);
    api.probeRouterHostKey.mockResolvedValue({ keyType: 'ssh-ed25519', fingerprint: FP });
    api.trustRouterHostKey.mockResolvedValue({ keyType: 'ssh-ed25519', fingerprint: FP });
    const { user } = openAction('one-click-config');

    const dialog = await screen.findByTestId('hostkey-dialog');
    const shown = await within(dialog).findByTestId('hostkey-fingerprint');
    expect(api.probeRouterHostKey).toHaveBeenCalledWith(3);
    expect(within(dialog).getByTestId('hostkey-trusted').textContent).toContain('not trusted yet');
    expect(dialog.textContent).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');

    await user.click(within(dialog).getByTestId('hostkey-trust'));
    expect(api.trustRouterHostKey).toHaveBeenCalledWith(3, shown.textContent);
    await waitFor(() => expect(screen.queryByTestId('hostkey-dialog')).toBeNull());
    expect((await screen.findByTestId('push-proposed')).textContent).toBe(preview.proposed);
    expect(api.previewPush).toHaveBeenCalledTimes(2);
  });

  it('warns about a changed key with both fingerprints and accepts the probed one only after a second confirmation', async () => {
    api.previewPush
      .mockRejectedValueOnce(
        new ApiError(
          'hostKeyMismatch',
          `the router's ssh-ed25519 host key changed: it is now ${FP}, the trusted one is ${OLD_FP}; connection refused until you accept the new key`,
        ),
      )
      .mockResolvedValueOnce(preview);
    api.routerHostKey.mockResolvedValue({ keyType: 'ssh-ed25519', fingerprint: OLD_FP });
    api.probeRouterHostKey.mockResolvedValue({ keyType: 'ssh-ed25519', fingerprint: FP });
    api.trustRouterHostKey.mockResolvedValue({ keyType: 'ssh-ed25519', fingerprint: FP });
    const { user } = openAction('one-click-config');

    await screen.findByTestId('push-hostkey-changed');
    expect(screen.getByTestId('push-key-trusted').textContent).toBe(OLD_FP);
    expect(screen.getByTestId('push-key-presented').textContent).toBe(FP);
    expect(api.probeRouterHostKey).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('push-accept-new-key'));
    const dialog = await screen.findByTestId('hostkey-dialog');
    await within(dialog).findByTestId('hostkey-changed');
    expect(api.trustRouterHostKey).not.toHaveBeenCalled();
    await user.click(within(dialog).getByTestId('hostkey-trust'));
    expect(api.trustRouterHostKey).toHaveBeenCalledWith(3, FP);
    await screen.findByTestId('push-proposed');
  });
});

describe('a refused push', () => {
  it("shows the router's message, the rollback and the failed session", async () => {
    corePush.mockRejectedValue(
      new ApiError('rejected', 'r1 refused the change: % Unknown command: neighbor 192.0.2.10 maximum-prefix x'),
    );
    const { onchanged, user } = openAction('one-click-config');
    await screen.findByTestId('push-proposed');
    await user.click(screen.getByTestId('push-send'));

    const result = await screen.findByTestId('push-result');
    expect(result.dataset.outcome).toBe('rejected');
    expect(screen.getByTestId('push-message').textContent).toContain('% Unknown command: neighbor 192.0.2.10 maximum-prefix x');
    expect(result.textContent).toContain('rolled back');
    expect(result.textContent).toContain('failed');
    // The session is now marked failed: the lists reload.
    expect(onchanged).toHaveBeenCalledTimes(1);
  });
});

describe('Admin down, Admin up, Remove from router', () => {
  it.each([
    ['admin-down', 'shutdown'],
    ['admin-up', 'enable'],
    ['remove-from-router', 'remove'],
  ])('%s previews operation %s and sends it after confirmation', async (id, operation) => {
    corePush.mockResolvedValue({ ...outcome, message: `${operation} done`, bgpState: null });
    const { user } = openAction(id);
    await screen.findByTestId('push-proposed');
    expect(api.previewPush).toHaveBeenCalledWith(17, operation, {});
    await user.click(screen.getByTestId('push-send'));
    expect(corePush.mock.calls[0].slice(0, 3)).toEqual([17, operation, {}]);
    expect((await screen.findByTestId('push-message')).textContent).toBe(`${operation} done`);
  });
});
