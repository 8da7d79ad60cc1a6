import { SCOPES, isScope, type Scope } from '../../../lib/auth/principal.js';
import { badUserInput } from '../../../lib/errors.js';

const USER_ID = /^[\x21-\x7e]{1,255}$/;

export function checkName(name: string, field = 'name'): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) {
    throw badUserInput(`${field} must be 1 to 100 characters.`, { field });
  }
  return trimmed;
}

export function checkUserId(userId: string): string {
  if (!USER_ID.test(userId)) {
    throw badUserInput('userId must be 1 to 255 printable characters without spaces.', {
      field: 'userId',
    });
  }
  return userId;
}

export function checkScopes(scopes: readonly string[]): Scope[] {
  const unique = [...new Set(scopes)];
  if (unique.length === 0)
    throw badUserInput('A key needs at least one scope.', { field: 'scopes' });
  const unknown = unique.filter((s) => !isScope(s));
  if (unknown.length) {
    throw badUserInput(
      `Unknown scopes: ${unknown.join(', ')}. Valid scopes are ${SCOPES.join(', ')}.`,
      { field: 'scopes', validScopes: [...SCOPES] },
    );
  }
  return (unique as Scope[]).sort();
}
