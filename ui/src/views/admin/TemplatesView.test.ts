// Admin › Templates against a mocked templating api: the preview follows the
// typed (unsaved) text once typing pauses, core's save errors land next to the
// text without losing it, Revert goes through a confirmation to core with the
// revision's id and shows what core then has, and unsaved text is not dropped
// by switching template without asking.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '$lib/api/invoke';
import type { Template } from '$lib/bindings/Template';
import type { TemplateInfo } from '$lib/bindings/TemplateInfo';
import type { TemplateRevision } from '$lib/bindings/TemplateRevision';

const api = vi.hoisted(() => ({
  listTemplates: vi.fn(),
  getTemplate: vi.fn(),
  saveTemplate: vi.fn(),
  templateRevisions: vi.fn(),
  revertTemplate: vi.fn(),
  resetTemplate: vi.fn(),
  previewEmailTemplate: vi.fn(),
  previewConfigTemplate: vi.fn(),
}));
vi.mock('$lib/api/templating', () => api);
const others = vi.hoisted(() => ({ listRouters: vi.fn(), listSessions: vi.fn() }));
vi.mock('$lib/api/devices', () => ({ listRouters: others.listRouters }));
vi.mock('$lib/api/peering', () => ({ listSessions: others.listSessions }));

import ConfirmDialog from '$lib/components/ConfirmDialog.svelte';
import TemplatesView from './TemplatesView.svelte';

const REQUEST = 'Subject: Peering request AS{{ peer.asn }}\nHello {{ peer.name }}\n';
const CONTACT = 'Subject: Contact\nHello\n';
const OLD = 'Subject: Old request\nHi\n';

const INFOS: TemplateInfo[] = [
  { name: 'email/request', isDefault: false, updatedAt: '2025-03-05T08:30:00Z' },
  { name: 'email/contact', isDefault: true, updatedAt: null },
  { name: 'config/frr/add', isDefault: true, updatedAt: null },
];
const FRR_ADD = 'router bgp {{ router.local_asn }}\n neighbor {{ s.peer_ip }} remote-as {{ s.remote_asn }}\n';
const template = (name: string, body: string, isDefault = false): Template => ({
  name,
  body,
  defaultBody: name === 'email/request' ? REQUEST : CONTACT,
  isDefault,
});
const REVISIONS: TemplateRevision[] = [
  { id: 12, name: 'email/request', body: REQUEST, savedAt: '2025-03-05T08:30:00Z' },
  { id: 7, name: 'email/request', body: OLD, savedAt: '2025-03-01T10:00:00Z' },
];

const bodyEl = () => screen.getByTestId('template-body') as HTMLTextAreaElement;

async function openEditor() {
  render(ConfirmDialog);
  render(TemplatesView);
  await waitFor(() => expect(bodyEl().value).toBe(REQUEST));
  return userEvent.setup();
}

beforeEach(() => {
  api.listTemplates.mockReset().mockResolvedValue(INFOS);
  api.getTemplate.mockReset().mockImplementation(async (name: string) =>
    name === 'email/request'
      ? template(name, REQUEST)
      : name === 'config/frr/add'
        ? { name, body: FRR_ADD, defaultBody: FRR_ADD, isDefault: true }
        : template(name, CONTACT, true),
  );
  api.previewConfigTemplate
    .mockReset()
    .mockImplementation(async (_name: string, body: string, sessionId: number) => `session ${sessionId} << ${body}`);
  others.listRouters.mockReset().mockResolvedValue([
    { id: 1, name: 'r1', platform: 'frr' },
    { id: 2, name: 'b1', platform: 'bird2' },
  ]);
  others.listSessions
    .mockReset()
    .mockImplementation(async (f: { routerId: number }) =>
      f.routerId === 1
        ? [{ id: 41, asn: 64500, networkName: 'Alpha', peerIp: '192.0.2.10', routerName: 'r1' }]
        : [{ id: 99, asn: 64501, networkName: 'Bird peer', peerIp: '192.0.2.11', routerName: 'b1' }],
    );
  api.templateRevisions.mockReset().mockImplementation(async (name: string) =>
    name === 'email/request' ? REVISIONS : [],
  );
  api.saveTemplate.mockReset();
  api.revertTemplate.mockReset();
  api.resetTemplate.mockReset();
  api.previewEmailTemplate
    .mockReset()
    .mockImplementation(async (_name: string, body: string, asn: number) => `AS${asn} << ${body}`);
});

// The view keeps unsaved text across unmounts; leave each test clean so the
// next one starts from the saved text.
afterEach(async () => {
  if (!screen.queryByTestId('template-discard')) return;
  await fireEvent.click(screen.getByTestId('template-discard'));
  await fireEvent.click(await screen.findByTestId('confirm-ok'));
  await waitFor(() => expect(screen.queryByTestId('template-unsaved')).toBeNull());
});

describe('TemplatesView', () => {
  it('previews a router configuration template for a session on a router of its platform', async () => {
    const user = await openEditor();
    await user.click(screen.getByTestId('template-row-config/frr/add'));
    await waitFor(() => expect(bodyEl().value).toBe(FRR_ADD));
    const select = (await screen.findByTestId('template-preview-session')) as HTMLSelectElement;
    await waitFor(() => expect(select.options.length).toBe(1));
    expect(select.options[0].textContent).toBe('AS64500 Alpha 192.0.2.10 (r1)');
    expect(others.listSessions).toHaveBeenCalledWith({ routerId: 1, noExchange: false });
    expect(others.listSessions).not.toHaveBeenCalledWith({ routerId: 2, noExchange: false });
    await waitFor(() => expect(api.previewConfigTemplate).toHaveBeenCalledWith('config/frr/add', FRR_ADD, 41));
    await waitFor(() => expect(screen.getByTestId('template-preview').textContent).toBe(`session 41 << ${FRR_ADD}`));
    expect(screen.queryByTestId('template-preview-asn')).toBeNull();
  });

  it('lists each template as default or edited, and opens the first one', async () => {
    await openEditor();
    expect(screen.getByTestId('template-row-email/request').textContent).toMatch(/email\/request\s*edited 2025-03-05/);
    expect(screen.getByTestId('template-row-email/contact').textContent).toMatch(/email\/contact\s*default/);
    expect(screen.getByTestId('template-revision-7').textContent).toContain('Subject: Old request');
  });

  it('previews the typed text once typing pauses, for the ASN entered', async () => {
    const user = await openEditor();
    await waitFor(() => expect(api.previewEmailTemplate).toHaveBeenCalledWith('email/request', REQUEST, 64500));

    const asn = screen.getByTestId('template-preview-asn');
    await user.clear(asn);
    await user.type(asn, '64501');
    await user.clear(bodyEl());
    await user.type(bodyEl(), 'Subject: Hello peer');
    // Nothing is rendered per keystroke: the debounce has not run out yet.
    expect(api.previewEmailTemplate).not.toHaveBeenCalledWith('email/request', 'Subject: Hello peer', 64501);

    await waitFor(() =>
      expect(api.previewEmailTemplate).toHaveBeenCalledWith('email/request', 'Subject: Hello peer', 64501),
    );
    const texts = api.previewEmailTemplate.mock.calls.map((c) => c[1]);
    expect(texts.every((t) => t === REQUEST || t === 'Subject: Hello peer')).toBe(true);
    await waitFor(() => expect(screen.getByTestId('template-preview').textContent).toBe('AS64501 << Subject: Hello peer'));
    expect(screen.getByTestId('template-unsaved')).toBeTruthy();
  });

  it("shows core's render error in place of the preview and leaves the focus in the text", async () => {
    const user = await openEditor();
    api.previewEmailTemplate.mockRejectedValue(
      new ApiError('invalid', "template email/request: undefined value 'peer.nam' (line 2)", 'template'),
    );
    await user.type(bodyEl(), 'x');
    const preview = screen.getByTestId('template-preview');
    await waitFor(() => expect(preview.getAttribute('data-state')).toBe('error'));
    expect(preview.textContent).toBe("template email/request: undefined value 'peer.nam' (line 2)");
    expect(document.activeElement).toBe(bodyEl());
  });

  it('shows a save error next to the text and keeps the text as typed (Ctrl+S)', async () => {
    const user = await openEditor();
    api.saveTemplate.mockRejectedValue(
      new ApiError('invalid', 'template email/request: syntax error: unexpected end of input', 'body'),
    );
    const broken = `${REQUEST}{% if x %}`;
    await fireEvent.input(bodyEl(), { target: { value: broken } });
    bodyEl().focus();
    await user.keyboard('{Control>}s{/Control}');

    expect(api.saveTemplate).toHaveBeenCalledWith('email/request', broken);
    const error = await screen.findByTestId('error-body');
    expect(error.textContent).toBe('template email/request: syntax error: unexpected end of input');
    expect(bodyEl().value).toBe(broken);
    expect(screen.getByTestId('template-unsaved')).toBeTruthy();
    // Nothing changed in core, so the list and history are not reloaded.
    expect(api.listTemplates).toHaveBeenCalledTimes(1);
  });

  it('saves the typed text and reloads the list and history', async () => {
    const user = await openEditor();
    const edited = `${REQUEST}Thanks\n`;
    api.saveTemplate.mockResolvedValue(template('email/request', edited));
    await fireEvent.input(bodyEl(), { target: { value: edited } });
    await user.click(screen.getByTestId('template-save'));

    await waitFor(() => expect(api.templateRevisions).toHaveBeenCalledTimes(2));
    expect(api.saveTemplate).toHaveBeenCalledWith('email/request', edited);
    expect(api.listTemplates).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId('template-unsaved')).toBeNull();
    expect(screen.queryByTestId('error-body')).toBeNull();
  });

  it('reverts to a revision by its id after confirmation, then shows what core has', async () => {
    const user = await openEditor();
    api.revertTemplate.mockResolvedValue(template('email/request', OLD));
    const after: TemplateRevision = { id: 13, name: 'email/request', body: OLD, savedAt: '2025-03-06T09:00:00Z' };
    api.templateRevisions.mockResolvedValue([after, ...REVISIONS]);

    await user.click(screen.getByTestId('template-revert-7'));
    expect(api.revertTemplate).not.toHaveBeenCalled();
    await user.click(await screen.findByTestId('confirm-ok'));

    await waitFor(() => expect(bodyEl().value).toBe(OLD));
    expect(api.revertTemplate).toHaveBeenCalledWith('email/request', 7);
    await waitFor(() => expect(screen.getByTestId('template-revision-13')).toBeTruthy());
    expect(api.listTemplates).toHaveBeenCalledTimes(2);
  });

  it('does not revert when the confirmation is cancelled', async () => {
    const user = await openEditor();
    await user.click(screen.getByTestId('template-revert-7'));
    await user.click(await screen.findByTestId('confirm-cancel'));
    expect(api.revertTemplate).not.toHaveBeenCalled();
    expect(bodyEl().value).toBe(REQUEST);
  });

  it("shows a revision's text on View", async () => {
    const user = await openEditor();
    await user.click(screen.getByTestId('template-view-7'));
    expect(screen.getByTestId('template-revision-body-7').textContent).toBe(OLD);
  });

  it('asks before switching template with unsaved text, and keeps the text when cancelled', async () => {
    const user = await openEditor();
    await user.type(bodyEl(), 'More');
    await user.click(screen.getByTestId('template-row-email/contact'));
    await user.click(await screen.findByTestId('confirm-cancel'));
    expect(bodyEl().value).toBe(`${REQUEST}More`);
    expect(api.getTemplate).not.toHaveBeenCalledWith('email/contact');

    await user.click(screen.getByTestId('template-row-email/contact'));
    await user.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(bodyEl().value).toBe(CONTACT));
  });

  it('keeps unsaved text when the view is left through another main tab, until it opens again', async () => {
    render(ConfirmDialog);
    const first = render(TemplatesView);
    await waitFor(() => expect(bodyEl().value).toBe(REQUEST));
    await fireEvent.input(bodyEl(), { target: { value: `${REQUEST}Draft` } });
    first.unmount();

    render(TemplatesView);
    await waitFor(() => expect(bodyEl().value).toBe(`${REQUEST}Draft`));
    expect(screen.getByTestId('template-unsaved')).toBeTruthy();
  });

  it('resets to the default after confirmation', async () => {
    const user = await openEditor();
    api.resetTemplate.mockResolvedValue(template('email/request', 'Subject: Default\n', true));
    await user.click(screen.getByTestId('template-reset'));
    await user.click(await screen.findByTestId('confirm-ok'));
    await waitFor(() => expect(bodyEl().value).toBe('Subject: Default\n'));
    expect(api.resetTemplate).toHaveBeenCalledWith('email/request');
  });
});
