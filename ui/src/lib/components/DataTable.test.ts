// The virtualised table: only a window of the rows is in the DOM, the right
// window after scrolling, and sorting reorders the whole set. With paged rows:
// it sizes for the total, asks for the rendered window, draws placeholders for
// rows not loaded and leaves sorting to the rows' owner.
import { fireEvent, render } from '@testing-library/svelte';
import { createRawSnippet, flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import DataTable from './DataTable.svelte';
import { pagesOf, rowWindow, type Column, type PagedRows, type RowWindow } from './datatable';

interface Row {
  id: number;
  name: string;
}

const ROW_HEIGHT = 30;
const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `peer ${i}` }));
const columns: Column<Row>[] = [
  { id: 'id', header: 'Id', text: (r) => String(r.id), sort: (a, b) => a.id - b.id },
  { id: 'name', header: 'Name', text: (r) => r.name },
];

function renderTable(list: Row[] = rows) {
  return render(DataTable<Row>, {
    props: {
      rows: list,
      columns,
      key: (r: Row) => r.id,
      rowTestId: (r: Row) => `row-${r.id}`,
      label: 'Test rows',
      rowHeight: ROW_HEIGHT,
      overscan: 5,
      // jsdom does no layout: the viewport is treated as 600 px (20 rows) tall.
      fallbackHeight: 600,
    },
  });
}

const renderedIds = (container: HTMLElement) =>
  Array.from(container.querySelectorAll('[data-testid^="row-"]')).map((el) =>
    Number(el.getAttribute('data-testid')!.slice(4)),
  );

describe('DataTable', () => {
  it('renders only a window of 20,000 rows, starting at the first', () => {
    const { container } = renderTable();
    const ids = renderedIds(container);
    expect(ids[0]).toBe(0);
    expect(ids.length).toBeGreaterThanOrEqual(20);
    expect(ids.length).toBeLessThanOrEqual(40);
    expect(ids).toEqual(ids.map((_, i) => i));
  });

  it('sizes the scroll area for every row, so the scrollbar covers all 20,000', () => {
    const { container } = renderTable();
    const body = container.querySelector<HTMLElement>('.body')!;
    expect(body.style.height).toBe(`${20_000 * ROW_HEIGHT}px`);
    expect(container.querySelector('[role="table"]')!.getAttribute('aria-rowcount')).toBe('20001');
  });

  it('shows the rows at the scroll position after scrolling', async () => {
    const { container } = renderTable();
    const viewport = container.querySelector<HTMLElement>('.viewport')!;
    // The header is one row tall and sticky; row 10,000 starts below it.
    viewport.scrollTop = ROW_HEIGHT + 10_000 * ROW_HEIGHT;
    await fireEvent.scroll(viewport);
    flushSync();
    const ids = renderedIds(container);
    expect(ids).toContain(10_000);
    expect(ids).toContain(10_019);
    expect(ids).not.toContain(0);
    expect(Math.min(...ids)).toBeGreaterThanOrEqual(10_000 - 5);
    expect(ids.length).toBeLessThanOrEqual(40);
    const first = container.querySelector<HTMLElement>('.window')!;
    expect(first.style.transform).toBe(`translateY(${Math.min(...ids) * ROW_HEIGHT}px)`);
  });

  it('puts the row text in its cells', () => {
    const { getByTestId } = renderTable();
    expect(getByTestId('row-3').textContent).toContain('peer 3');
  });

  it('sorts all rows, not only the visible ones, when a sortable header is clicked twice', async () => {
    const { container, getByRole } = renderTable();
    const header = getByRole('button', { name: /Id/ });
    await fireEvent.click(header);
    await fireEvent.click(header);
    expect(renderedIds(container)[0]).toBe(19_999);
  });

  it('draws a group row across all columns with its own snippet, other rows cell by cell', () => {
    const groupRow = createRawSnippet((row: () => Row) => ({
      render: () => `<strong>Group ${row().name}</strong>`,
    }));
    const { getByTestId } = render(DataTable<Row>, {
      props: {
        rows: rows.slice(0, 6),
        columns,
        key: (r: Row) => r.id,
        rowTestId: (r: Row) => `row-${r.id}`,
        label: 'Grouped rows',
        isGroup: (r: Row) => r.id % 3 === 0,
        groupRow,
      },
    });
    const group = getByTestId('row-3');
    const cells = group.querySelectorAll('[role="cell"]');
    expect(cells).toHaveLength(1);
    expect(cells[0].classList.contains('span')).toBe(true);
    expect(group.textContent).toBe('Group peer 3');
    expect(getByTestId('row-4').querySelectorAll('[role="cell"]')).toHaveLength(2);
    expect(getByTestId('row-4').textContent).toContain('peer 4');
  });

  it('shows the empty text when there are no rows', () => {
    const { container } = renderTable([]);
    expect(container.querySelector('.empty')!.textContent).toContain('Nothing to show');
  });
});

describe('DataTable with paged rows', () => {
  /** 20,000 rows of which only the first 50 are loaded. */
  function pagedTable(onsort = vi.fn()) {
    const windows: RowWindow[] = [];
    const paged: PagedRows<Row> = {
      total: 20_000,
      at: (i) => (i < 50 ? rows[i] : undefined),
      want: (w) => windows.push(w),
    };
    const sortable: Column<Row>[] = [
      { id: 'id', header: 'Id', text: (r) => String(r.id), sortable: true },
      { id: 'name', header: 'Name', text: (r) => r.name },
    ];
    const result = render(DataTable<Row>, {
      props: {
        paged,
        columns: sortable,
        key: (r: Row) => r.id,
        rowTestId: (r: Row) => `row-${r.id}`,
        label: 'Paged rows',
        rowHeight: ROW_HEIGHT,
        overscan: 5,
        fallbackHeight: 600,
        onsort,
      },
    });
    return { ...result, windows, onsort };
  }

  it('sizes the scroll area for the total and asks for the window it renders', () => {
    const { container, windows } = pagedTable();
    flushSync();
    expect(container.querySelector<HTMLElement>('.body')!.style.height).toBe(`${20_000 * ROW_HEIGHT}px`);
    expect(windows.at(-1)).toEqual({ start: 0, end: 26 });
    expect(renderedIds(container)).toEqual(Array.from({ length: 26 }, (_, i) => i));
  });

  it('draws light placeholder rows for rows not loaded and asks for the new window after scrolling', async () => {
    const { container, windows } = pagedTable();
    const viewport = container.querySelector<HTMLElement>('.viewport')!;
    viewport.scrollTop = ROW_HEIGHT + 40 * ROW_HEIGHT;
    await fireEvent.scroll(viewport);
    flushSync();
    expect(windows.at(-1)).toEqual({ start: 35, end: 66 });
    expect(renderedIds(container)).toEqual(Array.from({ length: 15 }, (_, i) => 35 + i));
    const placeholders = container.querySelectorAll('.row.placeholder');
    expect(placeholders).toHaveLength(16);
    expect(placeholders[0].getAttribute('aria-rowindex')).toBe('52');
    expect(placeholders[0].hasAttribute('data-testid')).toBe(false);
  });

  it('reports a header click to onsort and does not reorder the rows itself', async () => {
    const { container, getByRole, onsort } = pagedTable();
    const header = getByRole('button', { name: /Id/ });
    await fireEvent.click(header);
    expect(onsort).toHaveBeenLastCalledWith('id', false);
    await fireEvent.click(header);
    expect(onsort).toHaveBeenLastCalledWith('id', true);
    expect(renderedIds(container)[0]).toBe(0);
    await fireEvent.click(header);
    expect(onsort).toHaveBeenLastCalledWith(null, false);
  });
});

describe('pagesOf', () => {
  it('names the first and last page holding a window', () => {
    expect(pagesOf(0, 30, 200)).toEqual({ first: 0, last: 0 });
    expect(pagesOf(150, 250, 200)).toEqual({ first: 0, last: 1 });
    expect(pagesOf(200, 400, 200)).toEqual({ first: 1, last: 1 });
    expect(pagesOf(10, 10, 200)).toBeNull();
  });
});

describe('rowWindow', () => {
  it('adds the overscan on both sides and stays inside the rows', () => {
    expect(rowWindow(20_000, 0, 600, 30, 5)).toEqual({ start: 0, end: 26 });
    expect(rowWindow(20_000, 3000, 600, 30, 5)).toEqual({ start: 95, end: 126 });
    expect(rowWindow(20_000, 30 * 19_999, 600, 30, 5)).toEqual({ start: 19_994, end: 20_000 });
    expect(rowWindow(0, 0, 600, 30, 5)).toEqual({ start: 0, end: 0 });
  });
});
