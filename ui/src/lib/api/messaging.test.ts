// The messaging commands are sent with the argument names of the contract
// (docs/ipc-and-testids.md), and a refused send arrives as an ApiError with
// the field to mark.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const tauriInvoke = vi.hoisted(() => vi.fn());
vi.mock('@tauri-apps/api/core', () => ({ invoke: tauriInvoke }));

import { ApiError } from './invoke';
import {
  applyPeerAction,
  draftRequest,
  draftResend,
  draftSessionEmail,
  drainOutbox,
  getSmtpSettings,
  listMessages,
  listOutbox,
  listPeers,
  peerHistory,
  sendEmail,
  updateSmtpSettings,
} from './messaging';

beforeEach(() => {
  tauriInvoke.mockReset().mockResolvedValue(null);
});

const draft = {
  asn: 64500,
  kind: 'request' as const,
  to: 'peering@example.net',
  cc: '',
  bcc: '',
  subject: 'Peering request',
  body: 'Hello',
  messageId: 3,
};

describe('messaging commands', () => {
  it('list_peers gets { filter }; apply_peer_action { asn, action }', async () => {
    await listPeers({ status: 'request_sent', exchangeId: 2, contactedBefore: '2025-03-01' });
    expect(tauriInvoke).toHaveBeenLastCalledWith('list_peers', {
      filter: { status: 'request_sent', exchangeId: 2, contactedBefore: '2025-03-01' },
    });
    await applyPeerAction(64500, 'markExisting');
    expect(tauriInvoke).toHaveBeenLastCalledWith('apply_peer_action', { asn: 64500, action: 'markExisting' });
  });

  it('peer_history, list_messages, draft_request and draft_resend get { asn }', async () => {
    await peerHistory(64500);
    expect(tauriInvoke).toHaveBeenLastCalledWith('peer_history', { asn: 64500 });
    await listMessages(64501);
    expect(tauriInvoke).toHaveBeenLastCalledWith('list_messages', { asn: 64501 });
    await draftRequest(64502);
    expect(tauriInvoke).toHaveBeenLastCalledWith('draft_request', { asn: 64502 });
    await draftResend(64503);
    expect(tauriInvoke).toHaveBeenLastCalledWith('draft_resend', { asn: 64503 });
  });

  it('draft_session_email gets { sessionId, kind }; send_email { draft }', async () => {
    await draftSessionEmail(17, 'noc');
    expect(tauriInvoke).toHaveBeenLastCalledWith('draft_session_email', { sessionId: 17, kind: 'noc' });
    await sendEmail(draft);
    expect(tauriInvoke).toHaveBeenLastCalledWith('send_email', { draft });
  });

  it('list_outbox, drain_outbox and get_smtp_settings take no arguments; update_smtp_settings gets { changes }', async () => {
    await listOutbox();
    expect(tauriInvoke).toHaveBeenLastCalledWith('list_outbox', undefined);
    await drainOutbox();
    expect(tauriInvoke).toHaveBeenLastCalledWith('drain_outbox', undefined);
    await getSmtpSettings();
    expect(tauriInvoke).toHaveBeenLastCalledWith('get_smtp_settings', undefined);
    const changes = {
      host: 'smtp.example.net',
      port: 587,
      security: 'starttls' as const,
      username: 'peering',
      clearPassword: false,
      caFile: '',
      fromName: 'Peering',
      fromAddress: 'peering@example.net',
      replyTo: '',
      cc: '',
      bcc: '',
      cooldownDays: 7,
    };
    await updateSmtpSettings(changes);
    expect(tauriInvoke).toHaveBeenLastCalledWith('update_smtp_settings', { changes });
  });

  it('a refused send rejects with the kind and the field to mark', async () => {
    tauriInvoke.mockRejectedValue({ kind: 'invalid', message: "'x' is not a valid email address", field: 'to' });
    const error = await sendEmail(draft).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'invalid', field: 'to' });
  });
});
