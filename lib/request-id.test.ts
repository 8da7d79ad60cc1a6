import { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it('is read from the conventional header', () => {
    expect(REQUEST_ID_HEADER).toBe('x-request-id');
  });

  it("keeps a caller's sane id, so traces join up", () => {
    for (const id of [
      'req-0001',
      '7f1c2a9e-5b7d-4c1e-9d2f-0a1b2c3d4e5f',
      'trace:span.01_ab',
      'a'.repeat(128),
    ]) {
      expect(requestIdFrom(id)).toBe(id);
    }
  });

  it('takes the first value when the header came several times', () => {
    expect(requestIdFrom(['first-id-1', 'second-id-2'])).toBe('first-id-1');
  });

  it('makes a fresh UUID when the header is missing', () => {
    expect(requestIdFrom(undefined)).toMatch(UUID);
    expect(requestIdFrom([])).toMatch(UUID);
    expect(requestIdFrom('')).toMatch(UUID);
  });

  it('replaces an id that is too short, too long or carries unsafe characters', () => {
    for (const bad of [
      'short',
      'a'.repeat(129),
      'has space 123',
      'line\nbreak-123',
      '"}],"injected":1',
      'ünïcödé-123',
    ]) {
      const id = requestIdFrom(bad);
      expect(id).not.toBe(bad);
      expect(id).toMatch(UUID);
    }
  });

  it('makes a different id every time', () => {
    const ids = new Set(Array.from({ length: 50 }, () => requestIdFrom(undefined)));
    expect(ids.size).toBe(50);
  });
});
