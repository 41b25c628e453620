// Which Add Session wizard step holds each field core may name in an error, so
// the wizard can jump back to it; and what the wizard can be opened with.
export type WizardStep = 1 | 2 | 3;

/** A peer to start from (Available Peers): its ASN, name and addresses at the exchange. */
export interface PeerPrefill {
  asn: number;
  name: string;
  ipv4: string | null;
  ipv6: string | null;
}

const STEP_OF: Record<string, WizardStep> = {
  sessionType: 1,
  exchangeId: 1,
  routerId: 1,
  asn: 2,
  peerName: 2,
  asSet: 2,
  peerIpv4: 3,
  peerGroupV4: 3,
  peerIpv6: 3,
  peerGroupV6: 3,
  peerGroup: 3,
  md5Password: 3,
  notes: 3,
};

export const WIZARD_FIELDS: readonly string[] = Object.keys(STEP_OF);

/** The step showing `field`, or null when no step does. */
export function stepOfField(field: string | null): WizardStep | null {
  return field ? (STEP_OF[field] ?? null) : null;
}
