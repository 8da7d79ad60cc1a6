import { SCOPES } from '../../../lib/auth/principal.js';
import { checkName, checkScopes, checkUserId } from './validation.js';

describe('policy validation', () => {
  it('lists the valid scopes when a key asks for an unknown one', () => {
    let error: unknown;
    try {
      checkScopes(['read', 'models:read']);
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(
      `Unknown scopes: read. Valid scopes are ${SCOPES.join(', ')}.`,
    );
    expect((error as { extensions: unknown }).extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'scopes',
      validScopes: [...SCOPES],
    });
  });

  it('sorts and deduplicates known scopes, and refuses none at all', () => {
    expect(checkScopes(['wallet:read', 'models:read', 'wallet:read'])).toEqual([
      'models:read',
      'wallet:read',
    ]);
    expect(() => checkScopes([])).toThrow('A key needs at least one scope.');
  });

  it('trims names and refuses empty ones or user ids with spaces', () => {
    expect(checkName('  Team A ')).toBe('Team A');
    expect(() => checkName('   ')).toThrow('name must be 1 to 100 characters.');
    expect(() => checkUserId('has space')).toThrow(/printable characters/);
  });
});
