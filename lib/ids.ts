import { badUserInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/**
 * Ids of teams, wallets, keys, holds and transfers are UUIDs: anything else is the caller's
 * mistake, said (BAD_USER_INPUT) before a query can fail on it. Returns the id in lowercase.
 */
export function assertUuid(id: string, field: string): string {
  if (!UUID.test(id)) throw badUserInput(`${field} must be a UUID.`, { field });
  return id.toLowerCase();
}
