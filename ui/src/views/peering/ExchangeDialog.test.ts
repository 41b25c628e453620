// The exchange dialog's "From PeeringDB" search: hits show name, place and
// members; choosing one fills the form with what core makes of it (ids
// included), and nothing is saved until the person presses Save.
import { render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PdbExchange } from '$lib/bindings/PdbExchange';

const api = vi.hoisted(() => ({ addExchange: vi.fn(), updateExchange: vi.fn() }));
const pdb = vi.hoisted(() => ({ searchPdbExchanges: vi.fn(), exchangeFromPdb: vi.fn() }));
vi.mock('$lib/api/peering', () => api);
vi.mock('$lib/api/peeringdb', () => pdb);

import ExchangeDialog from './ExchangeDialog.svelte';

const hit: PdbExchange = {
  ixId: 501,
  ixlanId: 601,
  name: 'Test-IX',
  nameLong: 'Test Internet Exchange',
  city: 'Frankfurt',
  country: 'DE',
  prefixV4: '192.0.2.0/24',
  prefixV6: '2001:db8::/64',
  members: 1234,
  ports: 1300,
  policyEmail: 'peering@test-ix.example',
};

const value = (id: string) => (screen.getByTestId(id) as HTMLInputElement).value;

beforeEach(() => {
  api.addExchange.mockReset().mockImplementation(async (e) => ({ id: 9, ...e }));
  pdb.searchPdbExchanges.mockReset().mockResolvedValue([hit]);
  pdb.exchangeFromPdb.mockReset().mockResolvedValue({
    name: 'Test-IX',
    city: 'Frankfurt',
    country: 'DE',
    peeringdbIxId: 501,
    peeringdbIxlanId: 601,
    prefixV4: '192.0.2.0/24',
    prefixV6: '2001:db8::/64',
  });
});

describe('ExchangeDialog from PeeringDB', () => {
  it('fills the form from the chosen exchange and sends its PeeringDB ids on Save', async () => {
    const onsaved = vi.fn();
    render(ExchangeDialog, { props: { exchange: null, onclose: vi.fn(), onsaved } });
    const user = userEvent.setup();

    await user.type(screen.getByTestId('exchange-pdb-search'), 'test');
    const button = await screen.findByTestId('pdb-ix-501');
    expect(pdb.searchPdbExchanges).toHaveBeenCalledWith('test', 20);
    expect(button.textContent).toMatch(/Test-IX\s*Frankfurt, DE\s*1,234 members/);
    // Members are networks; their ports are counted beside them.
    expect(button.textContent).toMatch(/1,234 members · 1,300 ports/);
    expect(button.querySelector('.ix-members')!.getAttribute('title')).toBe('1,234 networks with 1,300 ports at this exchange');

    await user.click(button);
    await waitFor(() => expect(value('exchange-name')).toBe('Test-IX'));
    expect(pdb.exchangeFromPdb).toHaveBeenCalledWith(501);
    expect(value('exchange-city')).toBe('Frankfurt');
    expect(value('exchange-country')).toBe('DE');
    expect(value('exchange-prefix-v4')).toBe('192.0.2.0/24');
    expect(value('exchange-prefix-v6')).toBe('2001:db8::/64');
    expect(screen.getByTestId('exchange-pdb-link').textContent).toContain('501');
    expect(api.addExchange).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('exchange-save'));
    expect(api.addExchange).toHaveBeenCalledWith({
      name: 'Test-IX',
      city: 'Frankfurt',
      country: 'DE',
      prefixV4: '192.0.2.0/24',
      prefixV6: '2001:db8::/64',
      peeringdbIxId: 501,
      peeringdbIxlanId: 601,
    });
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
  });
});
