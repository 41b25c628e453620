// The session wrench declares Email NOC, Email Policy and Email Technical
// (ids email-noc, email-policy, email-technical), each asking for its kind of
// email for the row's session, and the router-configuration actions, each
// opening the push dialog for its operation.
import { describe, expect, it, vi } from 'vitest';
import type { Session } from '$lib/bindings/Session';
import { sessionActions } from './sessionActions';

const session = { id: 17, asn: 64500, networkName: 'Alpha Networks' } as Session;

function setup() {
  const h = { edit: vi.fn(), remove: vi.fn(), networkDetail: vi.fn(), email: vi.fn() };
  return { h, actions: sessionActions(h) };
}

describe('sessionActions', () => {
  it('offers the three contact emails with the contract ids and labels, on every session', () => {
    const { actions } = setup();
    const emails = actions.filter((a) => a.id.startsWith('email-'));
    expect(emails.map((a) => [a.id, a.label])).toEqual([
      ['email-noc', 'Email NOC'],
      ['email-policy', 'Email Policy'],
      ['email-technical', 'Email Technical'],
    ]);
    expect(emails.every((a) => a.visible(session))).toBe(true);
  });

  it('runs each with the session and its kind, and nothing else', async () => {
    const { actions, h } = setup();
    for (const a of actions.filter((x) => x.id.startsWith('email-'))) await a.run(session);
    expect(h.email.mock.calls).toEqual([
      [session, 'noc'],
      [session, 'policy'],
      [session, 'technical'],
    ]);
    expect(h.edit).not.toHaveBeenCalled();
    expect(h.remove).not.toHaveBeenCalled();
  });

  it('offers Update on router only for a session the router has', () => {
    const { actions } = setup();
    const update = actions.find((a) => a.id === 'update-on-router')!;
    expect(update.label).toBe('Update on router');
    expect(update.visible({ ...session, configState: 'configured' })).toBe(true);
    expect(update.visible({ ...session, configState: 'not_configured' })).toBe(false);
  });

  it('keeps Delete last in the menu', () => {
    const { actions } = setup();
    expect(actions.map((a) => a.id)).toEqual([
      'edit',
      'network-detail',
      'one-click-config',
      'config-manager',
      'update-on-router',
      'admin-down',
      'admin-up',
      'remove-from-router',
      'configure-sessions',
      'email-noc',
      'email-policy',
      'email-technical',
      'delete',
    ]);
  });

  it('opens the push dialog with the operation of each router action; only Config Manager is editable', async () => {
    const configure = vi.fn();
    const actions = sessionActions({ edit: vi.fn(), remove: vi.fn(), networkDetail: vi.fn(), email: vi.fn(), configure });
    const ids = ['one-click-config', 'config-manager', 'admin-down', 'admin-up', 'remove-from-router'];
    const chosen = actions.filter((a) => ids.includes(a.id));
    expect(chosen.map((a) => a.label)).toEqual(['1 click config', 'Config Manager', 'Admin down', 'Admin up', 'Remove from router']);
    for (const a of chosen) await a.run(session);
    expect(configure.mock.calls).toEqual([
      [session, 'add', false],
      [session, 'add', true],
      [session, 'shutdown', false],
      [session, 'enable', false],
      [session, 'remove', false],
    ]);
  });

  it('Configure Sessions opens the modal for that one session', async () => {
    const configureSessions = vi.fn();
    const actions = sessionActions({ edit: vi.fn(), remove: vi.fn(), networkDetail: vi.fn(), email: vi.fn(), configureSessions });
    const item = actions.find((a) => a.id === 'configure-sessions')!;
    expect(item.label).toBe('Configure Sessions');
    await item.run(session);
    expect(configureSessions).toHaveBeenCalledWith(session);
  });
});
