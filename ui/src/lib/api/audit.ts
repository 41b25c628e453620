// Typed calls for the audit command: who changed what, when.
import type { AuditEntry } from '$lib/bindings/AuditEntry';
import type { AuditFilter } from '$lib/bindings/AuditFilter';
import { call } from './invoke';

export const listAudit = (filter: AuditFilter) => call<AuditEntry[]>('list_audit', { filter });
