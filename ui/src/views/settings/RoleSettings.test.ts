// Settings → Role against a mocked settings api: switching to Coordinator asks
// nothing; switching to Admin with a passphrase set asks for it in a dialog
// (Enter submits, Escape closes) and core's refusal shows on the field while
// the role stays; passphrase set/change/clear are offered to an Admin only, the
// two new entries must agree before core is asked, and a missing keyring is
// said at the top of the form.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { RoleStatus } from '$lib/bindings/RoleStatus';

const api = vi.hoisted(() => ({
  getRole: vi.fn(),
  switchRole: vi.fn(),
  setAdminPassphrase: vi.fn(),
  clearAdminPassphrase: vi.fn(),
}));
vi.mock('$lib/api/settings', () => api);

import { currentRole } from './role.svelte';
import RoleSettings from './RoleSettings.svelte';

const PASS = 'correct horse';

function start(status: RoleStatus) {
  api.getRole.mockResolvedValue(status);
  render(RoleSettings);
  return userEvent.setup();
}

const role = () => screen.getByTestId('role-current').getAttribute('data-role');

beforeEach(() => {
  currentRole.status = null;
  for (const f of Object.values(api)) f.mockReset();
});

describe('RoleSettings', () => {
  it('switches an Admin to Coordinator without asking, and then offers no passphrase changes', async () => {
    const user = start({ role: 'admin', passphraseSet: true });
    await waitFor(() => expect(role()).toBe('admin'));
    expect(screen.getByTestId('passphrase-set').textContent).toContain('Change passphrase');
    api.switchRole.mockResolvedValue({ role: 'coordinator', passphraseSet: true });

    await user.click(screen.getByTestId('role-switch-coordinator'));
    await waitFor(() => expect(role()).toBe('coordinator'));
    expect(api.switchRole).toHaveBeenCalledWith('coordinator');
    expect(screen.queryByTestId('passphrase-set')).toBeNull();
    expect(screen.queryByTestId('passphrase-clear')).toBeNull();
    expect(screen.queryByTestId('role-passphrase-dialog')).toBeNull();
  });

  it('asks for the passphrase to switch to Admin, shows a wrong one on the field and keeps the role', async () => {
    const user = start({ role: 'coordinator', passphraseSet: true });
    await waitFor(() => expect(role()).toBe('coordinator'));
    api.switchRole.mockRejectedValueOnce(new ApiError('invalid', 'that is not the Admin passphrase', 'passphrase'));

    await user.click(screen.getByTestId('role-switch-admin'));
    const input = await screen.findByTestId('role-passphrase');
    expect(document.activeElement).toBe(input);
    await user.type(input, 'guess{Enter}');
    expect(api.switchRole).toHaveBeenLastCalledWith('admin', 'guess');
    expect((await screen.findByTestId('error-passphrase')).textContent).toContain('not the Admin passphrase');
    expect(role()).toBe('coordinator');

    api.switchRole.mockResolvedValueOnce({ role: 'admin', passphraseSet: true });
    await user.clear(input);
    await user.type(input, `${PASS}{Enter}`);
    await waitFor(() => expect(role()).toBe('admin'));
    expect(api.switchRole).toHaveBeenLastCalledWith('admin', PASS);
    expect(screen.queryByTestId('role-passphrase-dialog')).toBeNull();
  });

  it('closes the passphrase dialog on Escape without asking core', async () => {
    const user = start({ role: 'coordinator', passphraseSet: true });
    await user.click(await screen.findByTestId('role-switch-admin'));
    await screen.findByTestId('role-passphrase');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('role-passphrase-dialog')).toBeNull());
    expect(api.switchRole).not.toHaveBeenCalled();
  });

  it('switches to Admin directly when no passphrase is set', async () => {
    const user = start({ role: 'coordinator', passphraseSet: false });
    api.switchRole.mockResolvedValue({ role: 'admin', passphraseSet: false });
    await user.click(await screen.findByTestId('role-switch-admin'));
    await waitFor(() => expect(role()).toBe('admin'));
    expect(api.switchRole).toHaveBeenCalledWith('admin');
    expect(screen.queryByTestId('role-passphrase-dialog')).toBeNull();
  });

  it('sets a passphrase only when both entries agree', async () => {
    const user = start({ role: 'admin', passphraseSet: false });
    await user.click(await screen.findByTestId('passphrase-set'));
    expect(screen.queryByTestId('passphrase-current')).toBeNull();
    await user.type(screen.getByTestId('passphrase-new'), PASS);
    await user.type(screen.getByTestId('passphrase-confirm'), `${PASS}x{Enter}`);
    expect((await screen.findByTestId('error-confirmPassphrase')).textContent).toContain('differ');
    expect(api.setAdminPassphrase).not.toHaveBeenCalled();

    api.setAdminPassphrase.mockResolvedValue({ role: 'admin', passphraseSet: true });
    await user.type(screen.getByTestId('passphrase-confirm'), '{Backspace}{Enter}');
    await waitFor(() => expect(api.setAdminPassphrase).toHaveBeenCalledWith(PASS, undefined));
    await waitFor(() => expect(screen.queryByTestId('passphrase-dialog')).toBeNull());
    expect(screen.getByTestId('passphrase-clear')).toBeTruthy();
  });

  it('changes and clears with the current passphrase and shows core refusals inline', async () => {
    const user = start({ role: 'admin', passphraseSet: true });
    await user.click(await screen.findByTestId('passphrase-set'));
    api.setAdminPassphrase.mockRejectedValueOnce(
      new ApiError('invalid', 'that is not the current Admin passphrase', 'currentPassphrase'),
    );
    await user.type(screen.getByTestId('passphrase-current'), 'wrong');
    await user.type(screen.getByTestId('passphrase-new'), 'another one');
    await user.type(screen.getByTestId('passphrase-confirm'), 'another one{Enter}');
    expect((await screen.findByTestId('error-currentPassphrase')).textContent).toContain('not the current');
    expect(api.setAdminPassphrase).toHaveBeenCalledWith('another one', 'wrong');
    await user.keyboard('{Escape}');

    api.clearAdminPassphrase.mockResolvedValue({ role: 'admin', passphraseSet: false });
    await user.click(screen.getByTestId('passphrase-clear'));
    await user.type(await screen.findByTestId('passphrase-current'), `${PASS}{Enter}`);
    await waitFor(() => expect(api.clearAdminPassphrase).toHaveBeenCalledWith(PASS));
    await waitFor(() => expect(screen.queryByTestId('passphrase-clear')).toBeNull());
  });

  it('says at the top of the form when the keyring cannot store the passphrase', async () => {
    const user = start({ role: 'admin', passphraseSet: false });
    api.setAdminPassphrase.mockRejectedValue(new ApiError('keyringUnavailable', 'no keyring is available'));
    await user.click(await screen.findByTestId('passphrase-set'));
    await user.type(screen.getByTestId('passphrase-new'), PASS);
    await user.type(screen.getByTestId('passphrase-confirm'), `${PASS}{Enter}`);
    expect((await screen.findByTestId('form-error')).textContent).toContain('no keyring');
    expect(role()).toBe('admin');
  });
});
