import { badUserInput } from '../../lib/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Wallet ids are team ids; hold and transaction ids are UUIDs too. */
export function assertUuid(id: string, field: string): string {
  if (!UUID.test(id)) throw badUserInput(`${field} must be a UUID.`, { field });
  return id.toLowerCase();
}
