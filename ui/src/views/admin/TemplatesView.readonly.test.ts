// Admin › Templates for a Coordinator (templating and settings apis mocked):
// the template and its preview are shown, the text cannot be edited, Save,
// Reset and Revert are disabled with a note saying Admin is needed, and Ctrl+S
// asks core for nothing.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const api = vi.hoisted(() => ({
  listTemplates: vi.fn(),
  getTemplate: vi.fn(),
  saveTemplate: vi.fn(),
  templateRevisions: vi.fn(),
  revertTemplate: vi.fn(),
  resetTemplate: vi.fn(),
  previewEmailTemplate: vi.fn(),
}));
const settings = vi.hoisted(() => ({ getRole: vi.fn() }));
vi.mock('$lib/api/templating', () => api);
vi.mock('$lib/api/settings', () => settings);

import { currentRole } from '../settings/role.svelte';
import TemplatesView from './TemplatesView.svelte';

const BODY = 'Subject: Hello AS{{ peer.asn }}\nHi\n';

beforeEach(() => {
  currentRole.status = null;
  api.listTemplates.mockReset().mockResolvedValue([{ name: 'email/request', isDefault: false, updatedAt: '2025-03-05T08:30:00Z' }]);
  api.getTemplate.mockReset().mockResolvedValue({ name: 'email/request', body: BODY, defaultBody: 'Subject: x\n', isDefault: false });
  api.templateRevisions.mockReset().mockResolvedValue([{ id: 4, name: 'email/request', body: 'Subject: Old\n', savedAt: '2025-03-01T10:00:00Z' }]);
  api.previewEmailTemplate.mockReset().mockResolvedValue('Hello AS64500');
  api.saveTemplate.mockReset();
});

describe('TemplatesView for a Coordinator', () => {
  it('shows the template read-only with a note and offers no changes', async () => {
    settings.getRole.mockResolvedValue({ role: 'coordinator', passphraseSet: false });
    render(TemplatesView);
    const body = (await screen.findByTestId('template-body')) as HTMLTextAreaElement;
    await waitFor(() => expect(body.value).toBe(BODY));
    expect((await screen.findByTestId('template-readonly')).textContent).toContain('needs the Admin role');
    expect(body.readOnly).toBe(true);
    expect((screen.getByTestId('template-save') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('template-reset') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('template-revert-4') as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(screen.getByTestId('template-preview').textContent).toBe('Hello AS64500'));

    const user = userEvent.setup();
    await user.type(body, 'More');
    expect(body.value).toBe(BODY);
    await user.keyboard('{Control>}s{/Control}');
    expect(api.saveTemplate).not.toHaveBeenCalled();
  });

  it('stays editable for an Admin', async () => {
    settings.getRole.mockResolvedValue({ role: 'admin', passphraseSet: false });
    render(TemplatesView);
    const body = (await screen.findByTestId('template-body')) as HTMLTextAreaElement;
    await waitFor(() => expect(currentRole.status?.role).toBe('admin'));
    expect(body.readOnly).toBe(false);
    expect(screen.queryByTestId('template-readonly')).toBeNull();
  });
});
