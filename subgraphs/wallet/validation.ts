import { badUserInput } from '../../lib/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Wallet ids are team ids (UUIDs). */
export function assertWalletId(id: string): void {
  if (!UUID.test(id)) throw badUserInput('A wallet id is a team id (a UUID).', { field: 'id' });
}
