// The wrench menu: shows only the actions visible for the row, runs the chosen
// one with the row, closes when its row is replaced, and is usable from the
// keyboard.
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import ActionMenu from './ActionMenu.svelte';
import type { RowAction } from './actions';

interface Row {
  id: number;
  configured: boolean;
}

function setup(row: Row = { id: 7, configured: false }) {
  const edit = vi.fn();
  const remove = vi.fn();
  const configure = vi.fn();
  const actions: RowAction<Row>[] = [
    { id: 'edit', label: 'Edit', visible: () => true, run: edit },
    { id: 'configure', label: '1 click config', visible: (r) => !r.configured, run: configure },
    { id: 'reset', label: 'Reset Status', visible: (r) => r.configured, run: vi.fn() },
    {
      id: 'delete',
      label: 'Delete',
      danger: true,
      visible: () => true,
      disabled: (r) => r.id === 1,
      hint: 'in use',
      run: remove,
    },
  ];
  const result = render(ActionMenu<Row>, { props: { row, actions, testid: `row-actions-${row.id}` } });
  return { edit, remove, configure, user: userEvent.setup(), rerender: result.rerender };
}

const shownItems = () => screen.queryAllByRole('menuitem').map((el) => el.getAttribute('data-testid'));

describe('ActionMenu', () => {
  it('is closed until the wrench is pressed', () => {
    setup();
    expect(screen.queryByRole('menu')).toBeNull();
    expect(screen.getByTestId('row-actions-7').getAttribute('aria-expanded')).toBe('false');
  });

  it('lists only the actions visible for this row', async () => {
    const { user } = setup({ id: 7, configured: false });
    await user.click(screen.getByTestId('row-actions-7'));
    expect(shownItems()).toEqual(['action-edit', 'action-configure', 'action-delete']);
  });

  it('lists other actions for a row in another state', async () => {
    const { user } = setup({ id: 7, configured: true });
    await user.click(screen.getByTestId('row-actions-7'));
    expect(shownItems()).toEqual(['action-edit', 'action-reset', 'action-delete']);
  });

  it('closes when its row is replaced by another (a table updating rows in place)', async () => {
    const { user, rerender } = setup();
    await user.click(screen.getByTestId('row-actions-7'));
    expect(screen.queryByRole('menu')).not.toBeNull();
    await rerender({ row: { id: 8, configured: false } });
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('runs the chosen action with the row and closes', async () => {
    const { user, edit, remove } = setup();
    await user.click(screen.getByTestId('row-actions-7'));
    await user.click(screen.getByTestId('action-delete'));
    expect(remove).toHaveBeenCalledWith({ id: 7, configured: false });
    expect(edit).not.toHaveBeenCalled();
    expect(screen.queryByRole('menu')).toBeNull();
  });

  it('does not run a disabled action, and says why', async () => {
    const { user, remove } = setup({ id: 1, configured: false });
    await user.click(screen.getByTestId('row-actions-1'));
    const item = screen.getByTestId('action-delete');
    expect(item.getAttribute('aria-disabled')).toBe('true');
    expect(item.getAttribute('title')).toBe('in use');
    await user.click(item);
    expect(remove).not.toHaveBeenCalled();
  });

  it('opens with Enter, moves with the arrows, runs with Enter', async () => {
    const { user, configure } = setup();
    screen.getByTestId('row-actions-7').focus();
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByTestId('action-edit'));
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(screen.getByTestId('action-configure'));
    await user.keyboard('{ArrowUp}{ArrowUp}');
    expect(document.activeElement).toBe(screen.getByTestId('action-delete'));
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(configure).toHaveBeenCalledTimes(1);
  });

  it('opens with Space and closes with Escape, giving focus back to the wrench', async () => {
    const { user, edit } = setup();
    const wrench = screen.getByTestId('row-actions-7');
    wrench.focus();
    await user.keyboard(' ');
    expect(screen.getByRole('menu')).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).toBeNull();
    expect(document.activeElement).toBe(wrench);
    expect(edit).not.toHaveBeenCalled();
  });
});
