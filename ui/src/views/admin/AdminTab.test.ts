// The Admin tab asks the Templates editor before leaving it: with unsaved
// template text, switching sub-view needs a confirmation.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const templating = vi.hoisted(() => ({
  listTemplates: vi.fn(),
  getTemplate: vi.fn(),
  saveTemplate: vi.fn(),
  templateRevisions: vi.fn(),
  revertTemplate: vi.fn(),
  resetTemplate: vi.fn(),
  previewEmailTemplate: vi.fn(),
}));
const audit = vi.hoisted(() => ({ listAudit: vi.fn() }));
vi.mock('$lib/api/templating', () => templating);
vi.mock('$lib/api/audit', () => audit);

import ConfirmDialog from '$lib/components/ConfirmDialog.svelte';
import AdminTab from './AdminTab.svelte';

const BODY = 'Subject: Hello\n';

beforeEach(() => {
  audit.listAudit.mockReset().mockResolvedValue([]);
  templating.listTemplates.mockReset().mockResolvedValue([{ name: 'email/request', isDefault: true, updatedAt: null }]);
  templating.getTemplate
    .mockReset()
    .mockResolvedValue({ name: 'email/request', body: BODY, defaultBody: BODY, isDefault: true });
  templating.templateRevisions.mockReset().mockResolvedValue([]);
  templating.previewEmailTemplate.mockReset().mockResolvedValue('Hello');
});

describe('AdminTab', () => {
  it('asks before leaving Templates with unsaved text, and stays when cancelled', async () => {
    render(ConfirmDialog);
    render(AdminTab);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('subtab-templates'));
    const body = (await screen.findByTestId('template-body')) as HTMLTextAreaElement;
    await waitFor(() => expect(body.value).toBe(BODY));
    await user.type(body, 'More');

    await user.click(screen.getByTestId('subtab-logging'));
    await user.click(await screen.findByTestId('confirm-cancel'));
    expect(screen.getByTestId('admin-templates')).toBeTruthy();
    expect((screen.getByTestId('template-body') as HTMLTextAreaElement).value).toBe(`${BODY}More`);

    await user.click(screen.getByTestId('subtab-logging'));
    await user.click(await screen.findByTestId('confirm-ok'));
    expect(await screen.findByTestId('admin-logging')).toBeTruthy();
    expect(screen.queryByTestId('admin-templates')).toBeNull();
  });

  it('leaves Templates without asking when nothing is unsaved', async () => {
    render(ConfirmDialog);
    render(AdminTab);
    const user = userEvent.setup();
    await user.click(screen.getByTestId('subtab-templates'));
    await screen.findByTestId('template-body');
    await user.click(screen.getByTestId('subtab-logging'));
    expect(await screen.findByTestId('admin-logging')).toBeTruthy();
    expect(screen.queryByTestId('confirm-dialog')).toBeNull();
  });
});
