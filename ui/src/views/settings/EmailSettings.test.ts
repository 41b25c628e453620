// Settings → Email against mocked api modules: it shows core's SMTP settings,
// saves them whole (an empty password keeps the stored one; "Remove password"
// clears it), puts core's refusal next to the field it names, and shows the
// outbox count with "Send now", refreshed on the `outbox-drained` event.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { SmtpSettings } from '$lib/bindings/SmtpSettings';
import type { StoredMessage } from '$lib/bindings/StoredMessage';
import { toasts } from '$lib/components/toasts.svelte';

const messaging = vi.hoisted(() => ({
  getSmtpSettings: vi.fn(),
  updateSmtpSettings: vi.fn(),
  listOutbox: vi.fn(),
  drainOutbox: vi.fn(),
}));
const events = vi.hoisted(() => ({ drained: [] as ((n: number) => void)[] }));
vi.mock('$lib/api/messaging', () => messaging);
vi.mock('$lib/api/events', () => ({
  onOutboxDrained: async (handler: (n: number) => void) => {
    events.drained.push(handler);
    return () => (events.drained = events.drained.filter((h) => h !== handler));
  },
}));

import EmailSettings from './EmailSettings.svelte';

const SAVED: SmtpSettings = {
  host: 'smtp.example.net',
  port: 587,
  security: 'starttls',
  username: 'peering',
  hasPassword: true,
  caFile: '',
  fromName: 'Example Peering',
  fromAddress: 'peering@example.net',
  replyTo: '',
  cc: 'team@example.net',
  bcc: '',
  cooldownDays: 7,
};

const queued = (id: number): StoredMessage => ({
  id,
  asn: 64500,
  kind: 'request',
  to: 'peering@alpha.example',
  cc: '',
  bcc: '',
  subject: `Peering request ${id}`,
  body: 'Hello',
  messageId: `m${id}`,
  state: 'queued',
  attempts: 1,
  lastError: 'cannot connect to smtp.example.net:587',
  createdAt: '2025-03-04T10:00:00Z',
  sentAt: null,
});

function open() {
  render(EmailSettings, { props: { keyring: { available: true, backend: 'test', message: null } } });
  return userEvent.setup();
}

const field = (id: string) => screen.getByTestId(id) as HTMLInputElement;

beforeEach(() => {
  toasts.items = [];
  events.drained = [];
  messaging.getSmtpSettings.mockReset().mockResolvedValue(SAVED);
  messaging.updateSmtpSettings.mockReset().mockImplementation(async () => SAVED);
  messaging.listOutbox.mockReset().mockResolvedValue([]);
  messaging.drainOutbox.mockReset().mockResolvedValue(0);
});

describe('EmailSettings', () => {
  it("shows core's SMTP settings; the password is never shown, only that one is stored", async () => {
    open();
    await waitFor(() => expect(field('smtp-host').value).toBe('smtp.example.net'));
    expect(field('smtp-port').value).toBe('587');
    expect((screen.getByTestId('smtp-security') as HTMLSelectElement).value).toBe('starttls');
    expect(field('smtp-from-address').value).toBe('peering@example.net');
    expect(field('smtp-cc').value).toBe('team@example.net');
    expect(field('smtp-cooldown').value).toBe('7');
    expect(field('smtp-password').value).toBe('');
    expect(screen.getByText(/A password is stored in the keyring/)).toBeTruthy();
    const options = Array.from((screen.getByTestId('smtp-security') as HTMLSelectElement).options).map((o) => o.text);
    expect(options).toEqual(['STARTTLS', 'TLS', 'None (only to this machine)']);
  });

  it('saves every field; an empty password keeps the stored one', async () => {
    const user = open();
    await waitFor(() => expect(field('smtp-host').value).toBe('smtp.example.net'));
    await user.clear(field('smtp-port'));
    await user.type(field('smtp-port'), '465');
    await user.selectOptions(screen.getByTestId('smtp-security'), 'tls');
    await user.type(field('smtp-ca-file'), '/etc/ssl/private-ca.pem');
    await user.clear(field('smtp-cooldown'));
    await user.type(field('smtp-cooldown'), '14');
    await user.click(screen.getByTestId('smtp-save'));

    await waitFor(() => expect(messaging.updateSmtpSettings).toHaveBeenCalledTimes(1));
    const changes = messaging.updateSmtpSettings.mock.calls[0][0];
    expect(changes).toEqual({
      host: 'smtp.example.net',
      port: 465,
      security: 'tls',
      username: 'peering',
      clearPassword: false,
      caFile: '/etc/ssl/private-ca.pem',
      fromName: 'Example Peering',
      fromAddress: 'peering@example.net',
      replyTo: '',
      cc: 'team@example.net',
      bcc: '',
      cooldownDays: 14,
    });
    expect(changes).not.toHaveProperty('password');
    await waitFor(() => expect(toasts.items.map((t) => t.kind)).toEqual(['success']));
  });

  it('sends a new password once and forgets it; "Remove password" asks core to clear it', async () => {
    const user = open();
    await waitFor(() => expect(field('smtp-host').value).toBe('smtp.example.net'));
    await user.type(field('smtp-password'), 's3cret');
    await user.click(screen.getByTestId('smtp-save'));
    await waitFor(() => expect(messaging.updateSmtpSettings).toHaveBeenCalledTimes(1));
    expect(messaging.updateSmtpSettings.mock.calls[0][0]).toMatchObject({ password: 's3cret', clearPassword: false });
    await waitFor(() => expect(field('smtp-password').value).toBe(''));

    await user.click(screen.getByTestId('smtp-clear-password'));
    expect(field('smtp-password').disabled).toBe(true);
    await user.click(screen.getByTestId('smtp-save'));
    await waitFor(() => expect(messaging.updateSmtpSettings).toHaveBeenCalledTimes(2));
    expect(messaging.updateSmtpSettings.mock.calls[1][0]).toMatchObject({ clearPassword: true });
    expect(messaging.updateSmtpSettings.mock.calls[1][0]).not.toHaveProperty('password');
  });

  it("puts core's refusal next to the field it names and keeps what was typed", async () => {
    messaging.updateSmtpSettings.mockRejectedValue(
      new ApiError('invalid', 'an unencrypted connection is only allowed to a server on this machine; use STARTTLS or TLS', 'security'),
    );
    const user = open();
    await waitFor(() => expect(field('smtp-host').value).toBe('smtp.example.net'));
    await user.selectOptions(screen.getByTestId('smtp-security'), 'plain');
    await user.click(screen.getByTestId('smtp-save'));
    const inline = await screen.findByTestId('error-security');
    expect(inline.textContent).toContain('only allowed to a server on this machine');
    expect(inline.closest('.field')!.querySelector('[data-testid="smtp-security"]')).toBeTruthy();
    expect(screen.queryByTestId('form-error')).toBeNull();
    expect((screen.getByTestId('smtp-security') as HTMLSelectElement).value).toBe('plain');

    messaging.updateSmtpSettings.mockRejectedValue(new ApiError('invalid', 'between 0 and 365 days', 'cooldownDays'));
    await user.click(screen.getByTestId('smtp-save'));
    expect((await screen.findByTestId('error-cooldownDays')).textContent).toBe('between 0 and 365 days');
    expect(screen.queryByTestId('error-security')).toBeNull();
  });

  it('shows the outbox count, sends it with "Send now", and refreshes on outbox-drained', async () => {
    messaging.listOutbox.mockResolvedValue([queued(1), queued(2)]);
    const user = open();
    await waitFor(() => expect(screen.getByTestId('outbox-count').textContent).toContain('2 messages waiting'));
    expect(screen.getByTestId('outbox-count').getAttribute('data-count')).toBe('2');

    messaging.drainOutbox.mockResolvedValue(1);
    messaging.listOutbox.mockResolvedValue([queued(2)]);
    await user.click(screen.getByTestId('outbox-send-now'));
    expect(messaging.drainOutbox).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(screen.getByTestId('outbox-count').textContent).toContain('1 message waiting'));
    expect(toasts.items.map((t) => [t.kind, t.message])).toEqual([['success', 'Sent 1 message from the outbox.']]);

    // The background retry sent the rest: the event makes the count follow.
    messaging.listOutbox.mockResolvedValue([]);
    await waitFor(() => expect(events.drained).toHaveLength(1));
    events.drained[0](1);
    await waitFor(() => expect(screen.getByTestId('outbox-count').getAttribute('data-count')).toBe('0'));
    expect(screen.getByTestId('outbox-count').textContent).toContain('Empty');
    expect((screen.getByTestId('outbox-send-now') as HTMLButtonElement).disabled).toBe(true);
  });

  it('says why "Send now" sent nothing when core cannot send', async () => {
    messaging.listOutbox.mockResolvedValue([queued(1)]);
    messaging.drainOutbox.mockRejectedValue(new ApiError('invalid', 'set up the mail server and From address in Settings first', 'smtp'));
    const user = open();
    await waitFor(() => expect(screen.getByTestId('outbox-count').getAttribute('data-count')).toBe('1'));
    await user.click(screen.getByTestId('outbox-send-now'));
    await waitFor(() =>
      expect(toasts.items.map((t) => [t.kind, t.message])).toEqual([
        ['error', 'set up the mail server and From address in Settings first'],
      ]),
    );
  });
});
