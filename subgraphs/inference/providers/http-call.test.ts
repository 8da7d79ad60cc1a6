import { joinUrl, kindForStatus, parseRetryAfterMs } from './http-call.js';

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it.each<[Record<string, string>, number | undefined]>([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '1234' }, 1234],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after-ms': 'soon', 'retry-after': '9' }, 9000],
    [{ 'retry-after': 'Sun, 01 Mar 2026 12:00:42 GMT' }, 42_000],
    [{ 'retry-after': 'Sun, 01 Mar 2026 11:59:00 GMT' }, 0],
    [{ 'retry-after': 'later' }, undefined],
    [{ 'retry-after': '-5' }, undefined],
    [{}, undefined],
  ])('%j → %s', (headers, expected) => {
    expect(parseRetryAfterMs(headers, now)).toBe(expected);
  });
});

describe('kindForStatus', () => {
  it.each([
    [429, 'RATE_LIMITED'],
    [401, 'AUTH'],
    [403, 'AUTH'],
    [400, 'BAD_REQUEST'],
    [404, 'BAD_REQUEST'],
    [422, 'BAD_REQUEST'],
    [500, 'SERVER_ERROR'],
    [503, 'SERVER_ERROR'],
    [529, 'SERVER_ERROR'],
    [302, 'BAD_RESPONSE'],
  ])('%i → %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });
});

describe('joinUrl', () => {
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1/chat/completions'],
    ['https://api.openai.com/v1/', 'https://api.openai.com/v1/chat/completions'],
    ['http://localhost:11434/v1', 'http://localhost:11434/v1/chat/completions'],
    [
      'https://x.openai.azure.com/openai/deployments/gpt?api-version=2024-10-21',
      'https://x.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2024-10-21',
    ],
  ])('%s', (base, expected) => {
    expect(joinUrl(base, '/chat/completions').toString()).toBe(expected);
  });
});
