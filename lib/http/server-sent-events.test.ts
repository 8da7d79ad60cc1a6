import { parseServerSentEvents, type ServerSentEvent } from './server-sent-events.js';

async function parse(chunks: (Uint8Array | string)[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  async function* source() {
    yield* chunks;
  }
  for await (const event of parseServerSentEvents(source())) events.push(event);
  return events;
}

const STREAM =
  ': a comment, then an unnamed event\n' +
  'data: {"text": "héllo 👋"}\n\n' +
  'event: content_block_delta\r\n' +
  'data:no space after the colon\r\n\r\n' +
  'event: multi\r' +
  'data: first line\r' +
  'data: second line\r' +
  'id: 7\r\r' +
  'event: empty-is-skipped\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: ServerSentEvent[] = [
  { event: 'message', data: '{"text": "héllo 👋"}' },
  { event: 'content_block_delta', data: 'no space after the colon' },
  { event: 'multi', data: 'first line\nsecond line' },
  { event: 'message', data: '[DONE]' },
];

describe('parseServerSentEvents', () => {
  it('reads names, data lines, comments and every line ending', async () => {
    expect(await parse([Buffer.from(STREAM)])).toEqual(EXPECTED);
  });

  it('gives the same events however the bytes are split, inside a character or a CRLF', async () => {
    const bytes = Buffer.from(STREAM);
    for (let at = 1; at < bytes.length; at++) {
      expect(await parse([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(EXPECTED);
    }
    expect(await parse([...bytes].map((b) => Uint8Array.of(b)))).toEqual(EXPECTED);
  });

  it('dispatches a last event the stream ends without a blank line after', async () => {
    expect(await parse(['data: a\n\ndata: b'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('yields nothing for a body without events', async () => {
    expect(await parse(['{"not": "an event stream"}'])).toEqual([]);
  });
});
