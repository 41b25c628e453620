// Typed calls for the secrets commands: only whether the OS keyring can be used.
import type { KeyringStatus } from '$lib/bindings/KeyringStatus';
import { call } from './invoke';

export const keyringStatus = () => call<KeyringStatus>('keyring_status');
