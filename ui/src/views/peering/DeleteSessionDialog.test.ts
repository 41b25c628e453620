// Delete from the session wrench (devices and peering apis mocked): for a
// session configured on its router, "Also remove from the router" starts
// checked and Delete stays disabled until "peer" is typed, then core's
// delete_session_from_router is asked; unchecked, the plain delete is asked;
// a session the router does not have gets the plain delete with no question;
// a refusal keeps the dialog open with the kind and says nothing was deleted;
// a removal queued for an unreachable router keeps the session and says so.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { Session } from '$lib/bindings/Session';

const devices = vi.hoisted(() => ({ deleteSessionFromRouter: vi.fn() }));
const peering = vi.hoisted(() => ({ deleteSession: vi.fn() }));
vi.mock('$lib/api/devices', () => devices);
vi.mock('$lib/api/peering', () => peering);

import DeleteSessionDialog from './DeleteSessionDialog.svelte';

const configured = {
  id: 17,
  asn: 64500,
  networkName: 'Alpha Networks',
  peerIp: '192.0.2.10',
  routerName: 'edge1',
  configState: 'configured',
} as Session;

function open(session: Session = configured) {
  const onclose = vi.fn();
  const ondeleted = vi.fn();
  render(DeleteSessionDialog, { props: { session, onclose, ondeleted } });
  return { onclose, ondeleted, user: userEvent.setup() };
}

const ok = () => screen.getByTestId('delete-ok') as HTMLButtonElement;

beforeEach(() => {
  devices.deleteSessionFromRouter.mockReset().mockResolvedValue({ outcome: 'deleted', push: {} });
  peering.deleteSession.mockReset().mockResolvedValue(null);
});

describe('DeleteSessionDialog', () => {
  it('enables Delete only once "peer" is typed, then removes from the router through core', async () => {
    const { user, ondeleted } = open();
    expect((screen.getByTestId('delete-from-router') as HTMLInputElement).checked).toBe(true);
    expect(ok().disabled).toBe(true);
    const text = screen.getByTestId('delete-confirm-text');
    await user.type(text, 'pee{Enter}');
    expect(ok().disabled).toBe(true);
    expect(devices.deleteSessionFromRouter).not.toHaveBeenCalled();
    await user.type(text, 'r');
    expect(ok().disabled).toBe(false);
    await user.click(ok());
    await waitFor(() => expect(ondeleted).toHaveBeenCalledWith(expect.stringContaining('removed from edge1')));
    expect(devices.deleteSessionFromRouter).toHaveBeenCalledWith(17);
    expect(peering.deleteSession).not.toHaveBeenCalled();
  });

  it('unchecked, deletes from Peerdesk only without asking for the word', async () => {
    const { user, ondeleted } = open();
    await user.click(screen.getByTestId('delete-from-router'));
    expect(screen.queryByTestId('delete-confirm-text')).toBeNull();
    expect(ok().disabled).toBe(false);
    await user.click(ok());
    await waitFor(() => expect(peering.deleteSession).toHaveBeenCalledWith(17));
    expect(devices.deleteSessionFromRouter).not.toHaveBeenCalled();
    expect(ondeleted).toHaveBeenCalledWith(expect.stringContaining('deleted'));
  });

  it('offers no router removal for a session the router does not have', async () => {
    const { user } = open({ ...configured, configState: 'not_configured' });
    expect(screen.queryByTestId('delete-from-router')).toBeNull();
    await user.click(ok());
    await waitFor(() => expect(peering.deleteSession).toHaveBeenCalledWith(17));
    expect(devices.deleteSessionFromRouter).not.toHaveBeenCalled();
  });

  it('keeps the dialog with the error kind when the router refuses, and deletes nothing', async () => {
    devices.deleteSessionFromRouter.mockRejectedValue(new ApiError('authFailed', 'edge1 refused the login'));
    const { user, ondeleted, onclose } = open();
    await user.type(screen.getByTestId('delete-confirm-text'), 'peer{Enter}');
    const error = await screen.findByTestId('delete-error');
    expect(error.getAttribute('data-kind')).toBe('authFailed');
    expect(error.textContent).toContain('Nothing was deleted');
    expect(ondeleted).not.toHaveBeenCalled();
    expect(onclose).not.toHaveBeenCalled();
    expect(peering.deleteSession).not.toHaveBeenCalled();
  });

  it('shows the queued removal when the router cannot be reached, keeps the session and only offers Close', async () => {
    devices.deleteSessionFromRouter.mockResolvedValue({
      outcome: 'removalQueued',
      item: { id: 5, operation: 'remove', status: 'approved' },
      message: 'edge1 cannot be reached (connection refused). remove of 192.0.2.10 is queued and will be applied when edge1 is reachable.',
    });
    const { user, ondeleted, onclose } = open();
    await user.type(screen.getByTestId('delete-confirm-text'), 'peer{Enter}');
    const queued = await screen.findByTestId('delete-queued');
    expect(queued.textContent).toContain('Removal queued for edge1: applied when it is reachable');
    expect(queued.textContent).toContain('connection refused');
    expect(queued.textContent).toContain('deleted once the router has dropped it');
    expect(ondeleted).not.toHaveBeenCalled();
    expect(screen.queryByTestId('delete-ok')).toBeNull();
    expect(screen.queryByTestId('delete-error')).toBeNull();
    await user.click(screen.getByTestId('delete-close'));
    expect(onclose).toHaveBeenCalled();
    expect(devices.deleteSessionFromRouter).toHaveBeenCalledTimes(1);
  });

  it('closes on Escape without deleting', async () => {
    const { user, onclose } = open();
    await user.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalled();
    expect(devices.deleteSessionFromRouter).not.toHaveBeenCalled();
    expect(peering.deleteSession).not.toHaveBeenCalled();
  });
});
