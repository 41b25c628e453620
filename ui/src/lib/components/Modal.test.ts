// The dialog frame: labelled by its title, focus moved in and trapped,
// Escape closes, Enter submits when it wraps a form.
import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { createRawSnippet } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import Modal from './Modal.svelte';

const body = createRawSnippet(() => ({
  render: () => '<div><input data-testid="first" /><input data-testid="second" data-autofocus /></div>',
}));
const footer = createRawSnippet(() => ({
  render: () => '<button type="submit" data-testid="ok">OK</button>',
}));

function open(withSubmit = false) {
  const onclose = vi.fn();
  const onsubmit = vi.fn();
  render(Modal, {
    props: { title: 'Add Exchange', onclose, children: body, footer, onsubmit: withSubmit ? onsubmit : undefined },
  });
  return { onclose, onsubmit, user: userEvent.setup() };
}

describe('Modal', () => {
  it('is a dialog labelled by its title', () => {
    open();
    const dialog = screen.getByRole('dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    const label = document.getElementById(dialog.getAttribute('aria-labelledby')!);
    expect(label?.textContent).toBe('Add Exchange');
  });

  it('moves focus to the [data-autofocus] field when it opens', () => {
    open();
    expect(document.activeElement).toBe(screen.getByTestId('second'));
  });

  it('closes on Escape', async () => {
    const { user, onclose } = open();
    await user.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it('keeps Tab inside the dialog, wrapping from the last control to the first', async () => {
    const { user } = open();
    screen.getByTestId('ok').focus();
    await user.tab();
    expect(screen.getByRole('dialog').contains(document.activeElement)).toBe(true);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close');
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByTestId('ok'));
  });

  it('submits with Enter in a field when given onsubmit', async () => {
    const { user, onsubmit } = open(true);
    await user.type(screen.getByTestId('first'), 'x{Enter}');
    expect(onsubmit).toHaveBeenCalledTimes(1);
  });
});
