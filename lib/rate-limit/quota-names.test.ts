import { limitsOf, QUOTA_FIELDS, quotaFiguresOf } from './quota-names.js';

describe('quota names: one vocabulary between the schema and the rate limiter', () => {
  it('maps every limit both ways, null and absent meaning unlimited', () => {
    const figures = {
      requestsPerMinute: 3,
      tokensPerMinute: 100,
      tokensPerDay: null,
      keyRequestsPerMinute: 0,
      keyTokensPerMinute: null,
    };
    expect(limitsOf(figures)).toEqual({ rpm: 3, tpm: 100, keyRpm: 0 });
    // The stream limit is a count the rate limiter does not keep: figures carry it, limits not.
    expect(quotaFiguresOf(limitsOf(figures))).toEqual({ ...figures, maxConcurrentStreams: null });
    expect(limitsOf({ ...figures, maxConcurrentStreams: 2 })).toEqual(limitsOf(figures));
    expect(quotaFiguresOf({ rpm: 1, maxConcurrentStreams: 2 })).toMatchObject({
      requestsPerMinute: 1,
      maxConcurrentStreams: 2,
    });
    expect(limitsOf({ tokensPerDay: 5 })).toEqual({ tpd: 5 });
  });

  it('gives each limit a distinct schema name', () => {
    expect(new Set(Object.values(QUOTA_FIELDS)).size).toBe(Object.keys(QUOTA_FIELDS).length);
  });
});
