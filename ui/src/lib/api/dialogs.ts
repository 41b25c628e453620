// Typed call for the native file dialog; the backend picks the dialog kind per purpose.
import { call } from './invoke';

export type FilePurpose = 'exportInventory' | 'importInventory' | 'exportSessionsCsv' | 'sshKey';

/** The chosen path, or null when the person cancelled. */
export const pickFile = (purpose: FilePurpose) => call<string | null>('pick_file', { purpose });
