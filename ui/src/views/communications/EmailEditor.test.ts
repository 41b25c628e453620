// The email editor against a mocked messaging api: it sends what the user
// wrote, says "Sent" or "Queued …" and closes, and on every error stays open
// with the text intact (a refused field inline, a refused login or message at
// the top, sent again as the message core stored). Enter in a single-line
// field does not send; Ctrl+Enter does.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { EmailDraft } from '$lib/bindings/EmailDraft';
import type { MessageState } from '$lib/bindings/MessageState';
import type { SendOutcome } from '$lib/bindings/SendOutcome';
import type { StoredMessage } from '$lib/bindings/StoredMessage';
import ConfirmDialog from '$lib/components/ConfirmDialog.svelte';
import Toasts from '$lib/components/Toasts.svelte';
import { toasts } from '$lib/components/toasts.svelte';

const messaging = vi.hoisted(() => ({ sendEmail: vi.fn(), listMessages: vi.fn() }));
vi.mock('$lib/api/messaging', () => messaging);

import EmailEditor from './EmailEditor.svelte';

const DRAFT: EmailDraft = {
  asn: 64500,
  kind: 'request',
  to: 'peering@alpha.example',
  cc: 'team@example.net',
  bcc: '',
  subject: 'Peering request: AS64496 and AS64500',
  body: 'Hello Alpha,\n\nwe would like to peer at DEMO-IX Frankfurt.\n',
};

const stored = (d: EmailDraft, state: MessageState, over: Partial<StoredMessage> = {}): StoredMessage => ({
  id: 41,
  asn: d.asn,
  kind: d.kind,
  to: d.to,
  cc: d.cc,
  bcc: d.bcc,
  subject: d.subject,
  body: d.body,
  messageId: 'peerdesk.64500.1@example.net',
  state,
  attempts: 1,
  lastError: '',
  createdAt: '2025-03-04T10:00:00Z',
  sentAt: state === 'sent' ? '2025-03-04T10:00:00Z' : null,
  ...over,
});

const outcome = (d: EmailDraft, state: MessageState): SendOutcome => ({
  message: stored(d, state),
  status: state === 'sent' ? 'request_sent' : 'new',
});

function open(draft: EmailDraft = DRAFT) {
  const onclose = vi.fn();
  const onsent = vi.fn();
  render(EmailEditor, { props: { draft, peerName: 'Alpha Networks', onclose, onsent } });
  render(Toasts);
  render(ConfirmDialog);
  return { onclose, onsent, user: userEvent.setup() };
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement | HTMLTextAreaElement;
const values = () => ['email-to', 'email-cc', 'email-bcc', 'email-subject', 'email-body'].map((id) => input(id).value);

beforeEach(() => {
  toasts.items = [];
  messaging.sendEmail.mockReset();
  messaging.listMessages.mockReset().mockResolvedValue([]);
});

describe('EmailEditor', () => {
  it("shows core's draft in To, Cc, Bcc, Subject and a monospace Body", () => {
    open();
    expect(values()).toEqual([DRAFT.to, DRAFT.cc, '', DRAFT.subject, DRAFT.body]);
    expect(input('email-body').tagName).toBe('TEXTAREA');
    expect(input('email-body').classList.contains('mono')).toBe(true);
    expect(screen.getByRole('dialog').getAttribute('aria-labelledby')).toBeTruthy();
    expect(screen.getByText('Send Request · AS64500 Alpha Networks')).toBeTruthy();
  });

  it('sends exactly what the user wrote, says "Sent" and hands the outcome back', async () => {
    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'sent'));
    const { user, onsent, onclose } = open();
    await user.type(input('email-bcc'), 'archive@example.net');
    await user.type(input('email-body'), 'Best regards');
    await user.click(screen.getByTestId('email-send'));

    expect(messaging.sendEmail).toHaveBeenCalledWith({
      ...DRAFT,
      bcc: 'archive@example.net',
      body: `${DRAFT.body}Best regards`,
    });
    await waitFor(() => expect(onsent).toHaveBeenCalledTimes(1));
    expect(onsent.mock.calls[0][0].message.state).toBe('sent');
    expect(toasts.items.map((t) => [t.kind, t.message])).toEqual([['success', 'Sent']]);
    expect(onclose).not.toHaveBeenCalled();
  });

  it('says the message is queued when the mail server cannot be reached, and closes', async () => {
    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'queued'));
    const { user, onsent } = open();
    await user.click(screen.getByTestId('email-send'));
    await waitFor(() => expect(onsent).toHaveBeenCalledTimes(1));
    expect(toasts.items.map((t) => [t.kind, t.message])).toEqual([
      ['info', 'Queued: the mail server cannot be reached; it will be sent when it can'],
    ]);
    expect(screen.getByTestId('toast').textContent).toContain('Queued: the mail server cannot be reached');
  });

  it('keeps the editor open with everything typed when core refuses the To field, and marks To inline', async () => {
    messaging.sendEmail.mockRejectedValueOnce(new ApiError('invalid', "'peering(at)alpha' is not a valid email address", 'to'));
    const { user, onsent, onclose } = open();
    await user.clear(input('email-to'));
    await user.type(input('email-to'), 'peering(at)alpha');
    await user.clear(input('email-subject'));
    await user.type(input('email-subject'), 'Peering at DEMO-IX');
    await user.type(input('email-body'), 'Our NOC: noc@example.net');
    const typed = values();
    await user.click(screen.getByTestId('email-send'));

    const inline = await screen.findByTestId('error-to');
    expect(inline.textContent).toBe("'peering(at)alpha' is not a valid email address");
    // Next to the To field, not at the top of the form.
    expect(inline.closest('.field')!.querySelector('[data-testid="email-to"]')).toBeTruthy();
    expect(screen.queryByTestId('form-error')).toBeNull();
    expect(screen.getByTestId('email-editor')).toBeTruthy();
    expect(values()).toEqual(typed);
    expect(onsent).not.toHaveBeenCalled();
    expect(onclose).not.toHaveBeenCalled();
    expect(toasts.items).toEqual([]);

    // Corrected, it goes out, and the inline error is gone.
    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'sent'));
    await user.clear(input('email-to'));
    await user.type(input('email-to'), 'peering@alpha.example');
    await user.click(screen.getByTestId('email-send'));
    await waitFor(() => expect(onsent).toHaveBeenCalledTimes(1));
    expect(messaging.sendEmail).toHaveBeenLastCalledWith(
      expect.objectContaining({ to: 'peering@alpha.example', subject: 'Peering at DEMO-IX' }),
    );
    expect(screen.queryByTestId('error-to')).toBeNull();
  });

  it('shows a refused login at the top, keeps the text, and sends again as the message core stored', async () => {
    messaging.sendEmail.mockRejectedValueOnce(new ApiError('authFailed', 'the mail server refused the user name or password'));
    const { user, onsent } = open();
    await user.type(input('email-body'), 'PS: see you there');
    const typed = values();
    const sent: EmailDraft = { ...DRAFT, body: typed[4] };
    messaging.listMessages.mockResolvedValue([
      stored({ ...DRAFT, subject: 'An older one' }, 'failed', { id: 12 }),
      stored(sent, 'failed', { id: 41, lastError: 'refused' }),
      stored(sent, 'sent', { id: 40 }),
    ]);
    await user.click(screen.getByTestId('email-send'));

    const line = await screen.findByTestId('form-error');
    expect(line.textContent).toContain('The mail server refused the login');
    expect(line.textContent).toContain('the mail server refused the user name or password');
    expect(values()).toEqual(typed);
    expect(onsent).not.toHaveBeenCalled();
    await waitFor(() => expect(messaging.listMessages).toHaveBeenCalledWith(64500));

    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'sent'));
    await user.click(screen.getByTestId('email-send'));
    await waitFor(() => expect(onsent).toHaveBeenCalledTimes(1));
    expect(messaging.sendEmail).toHaveBeenLastCalledWith({ ...sent, messageId: 41 });
  });

  it('shows a refused message at the top and keeps the editor open', async () => {
    messaging.sendEmail.mockRejectedValue(new ApiError('rejected', 'the mail server rejected the message: 550 no such user'));
    const { user, onsent } = open();
    await user.click(screen.getByTestId('email-send'));
    const line = await screen.findByTestId('form-error');
    expect(line.textContent).toContain('The mail server refused the message: the mail server rejected the message: 550 no such user');
    expect(values()).toEqual([DRAFT.to, DRAFT.cc, '', DRAFT.subject, DRAFT.body]);
    expect(onsent).not.toHaveBeenCalled();
  });

  it('keeps editing a stored failed message as that message', async () => {
    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'sent'));
    const { user } = open({ ...DRAFT, messageId: 41 });
    await user.click(screen.getByTestId('email-send'));
    expect(messaging.sendEmail).toHaveBeenCalledWith({ ...DRAFT, messageId: 41 });
  });

  it('does not send on Enter in a single-line field; Ctrl+Enter sends', async () => {
    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'sent'));
    const { user, onsent } = open();
    await user.click(input('email-subject'));
    await user.keyboard('{Enter}');
    await user.click(input('email-to'));
    await user.keyboard('{Enter}');
    expect(messaging.sendEmail).not.toHaveBeenCalled();
    expect(input('email-subject').value).toBe(DRAFT.subject);

    // Enter in the body is a new line, not a send.
    await user.click(input('email-body'));
    await user.keyboard('{Enter}');
    expect(messaging.sendEmail).not.toHaveBeenCalled();

    await user.keyboard('{Control>}{Enter}{/Control}');
    await waitFor(() => expect(onsent).toHaveBeenCalledTimes(1));
    expect(messaging.sendEmail).toHaveBeenCalledTimes(1);
  });

  it('shows the warning core put on the draft, and it does not stop sending', async () => {
    messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'sent'));
    const { user, onsent } = open({ ...DRAFT, kind: 'resend', warning: 'Inside the 7-day cool-down.' });
    expect(screen.getByTestId('email-warning').textContent).toContain('Inside the 7-day cool-down.');
    await user.click(screen.getByTestId('email-send'));
    await waitFor(() => expect(onsent).toHaveBeenCalledTimes(1));
    expect(messaging.sendEmail.mock.calls[0][0]).not.toHaveProperty('warning');
  });

  it('asks before Escape throws away changed text, and keeps it when the answer is no', async () => {
    const { user, onclose } = open();
    await user.type(input('email-body'), 'half a sentence');
    await user.keyboard('{Escape}');
    await user.click(await screen.findByTestId('confirm-cancel'));
    expect(onclose).not.toHaveBeenCalled();
    expect(input('email-body').value).toBe(`${DRAFT.body}half a sentence`);
  });

  describe('recipient candidates from PeeringDB', () => {
    const WITH_CANDIDATES: EmailDraft = {
      ...DRAFT,
      to: 'policy@alpha.example',
      candidates: [
        { address: 'policy@alpha.example', role: 'Policy', name: 'Policy desk', inTo: true },
        { address: 'peering@alpha.example', role: 'Policy', name: 'Policy desk', inTo: false },
        { address: 'noc@alpha.example', role: 'NOC', name: '', inTo: false },
        { address: 'tech@alpha', role: 'Technical', name: '', inTo: false, problem: 'the domain has no dot' },
      ],
    };

    it('lists the other addresses with one button each, and the unusable one with its reason', () => {
      open(WITH_CANDIDATES);
      expect(input('email-to').value).toBe('policy@alpha.example');
      expect(screen.queryByTestId('email-candidate-policy@alpha.example')).toBeNull();
      expect(screen.getByTestId('email-candidate-peering@alpha.example').tagName).toBe('BUTTON');
      expect(screen.getByTestId('email-candidate-noc@alpha.example').tagName).toBe('BUTTON');
      expect(screen.queryByTestId('email-candidate-tech@alpha')).toBeNull();
      expect(screen.getByTestId('email-candidate-refused-tech@alpha').textContent).toContain('the domain has no dot');
    });

    it('adds a candidate to To with one click, and only what the user picked is sent', async () => {
      messaging.sendEmail.mockImplementation(async (d: EmailDraft) => outcome(d, 'sent'));
      const { user, onsent } = open(WITH_CANDIDATES);
      await user.click(screen.getByTestId('email-candidate-noc@alpha.example'));
      expect(input('email-to').value).toBe('policy@alpha.example, noc@alpha.example');
      expect(screen.queryByTestId('email-candidate-noc@alpha.example')).toBeNull();
      expect(screen.getByTestId('email-candidate-peering@alpha.example')).toBeTruthy();
      await user.click(screen.getByTestId('email-send'));
      await waitFor(() => expect(onsent).toHaveBeenCalledTimes(1));
      expect(messaging.sendEmail.mock.calls[0][0].to).toBe('policy@alpha.example, noc@alpha.example');
      expect(messaging.sendEmail.mock.calls[0][0]).not.toHaveProperty('candidates');
    });

    it('is reachable from the keyboard: Enter on a focused candidate adds it and focus moves to the next', async () => {
      const { user } = open(WITH_CANDIDATES);
      const first = screen.getByTestId('email-candidate-peering@alpha.example');
      first.focus();
      await user.keyboard('{Enter}');
      expect(input('email-to').value).toBe('policy@alpha.example, peering@alpha.example');
      expect(document.activeElement).toBe(screen.getByTestId('email-candidate-noc@alpha.example'));
      await user.keyboard(' ');
      expect(input('email-to').value).toBe('policy@alpha.example, peering@alpha.example, noc@alpha.example');
      expect(document.activeElement).toBe(input('email-to'));
      expect(messaging.sendEmail).not.toHaveBeenCalled();
    });

    it('offers a candidate again when the user deletes it from To', async () => {
      const { user } = open(WITH_CANDIDATES);
      await user.clear(input('email-to'));
      expect(screen.getByTestId('email-candidate-policy@alpha.example')).toBeTruthy();
    });

    it('says so when PeeringDB has no usable address and To is empty', () => {
      open({
        ...DRAFT,
        to: '',
        candidates: [{ address: 'peering@192.0.2.1', role: 'Policy', name: '', inTo: false, problem: 'an IP address is not accepted as a mail domain' }],
      });
      expect(screen.getByTestId('email-no-candidate').textContent).toContain('no address Peerdesk can write to');
      expect(screen.getByTestId('email-candidate-refused-peering@192.0.2.1').textContent).toContain('IP address');
    });

    it('shows nothing extra for a draft without candidates', () => {
      open();
      expect(screen.queryByTestId('email-candidates')).toBeNull();
    });
  });

  it('keeps the text and marks Subject inline when core refuses a too long subject', async () => {
    messaging.sendEmail.mockRejectedValueOnce(new ApiError('invalid', 'too long: at most 200 characters (201 now)', 'subject'));
    const { user, onsent } = open();
    await user.clear(input('email-subject'));
    await user.type(input('email-subject'), 'x'.repeat(201));
    const typed = values();
    await user.click(screen.getByTestId('email-send'));
    expect((await screen.findByTestId('error-subject')).textContent).toBe('too long: at most 200 characters (201 now)');
    expect(values()).toEqual(typed);
    expect(onsent).not.toHaveBeenCalled();
  });

  it('Cancel closes without sending', async () => {
    const { user, onclose } = open();
    await user.click(screen.getByTestId('email-cancel'));
    expect(onclose).toHaveBeenCalledTimes(1);
    expect(messaging.sendEmail).not.toHaveBeenCalled();
  });
});
