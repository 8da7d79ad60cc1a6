import { streamProtocolOf } from './stream-protocol.js';

describe('streamProtocolOf', () => {
  it.each([
    ['multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json', 'multipart'],
    ['multipart/mixed; subscriptionSpec="1.0", application/json', 'multipart'],
    ['text/event-stream', 'sse'],
    ['application/json, text/event-stream;q=0.9', 'sse'],
  ])('%s asks for %s', (accept, protocol) => {
    expect(streamProtocolOf(accept)).toBe(protocol);
  });

  it.each([
    [undefined],
    ['application/json'],
    ['application/graphql-response+json, application/json;q=0.9'],
    // @defer's incremental delivery, which Apollo Server answers itself.
    ['multipart/mixed;deferSpec=20220824, application/json'],
  ])('%s asks for no stream', (accept) => {
    expect(streamProtocolOf(accept)).toBeUndefined();
  });
});
