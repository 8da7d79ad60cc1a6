/** One server-sent event: its `event:` name (`message` when none was given) and its `data:` lines. */
export interface ServerSentEvent {
  event: string;
  /** The event's `data:` lines joined with `\n`, as the EventSource algorithm does. */
  data: string;
}

/**
 * Parses a `text/event-stream` body from its raw chunks (WHATWG HTML "event stream
 * interpretation"): lines end in CRLF, LF or CR; `:` lines are comments; a blank line dispatches.
 * UTF-8 is decoded across chunk boundaries, so a character split between two reads survives.
 */
export async function* parseServerSentEvents(
  chunks: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<ServerSentEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];

  // Returns the event a blank line completes, if any, and applies every other line.
  const applyLine = (line: string): ServerSentEvent | undefined => {
    if (line === '') {
      const complete =
        data.length > 0 ? { event: event || 'message', data: data.join('\n') } : undefined;
      event = '';
      data = [];
      return complete;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    return undefined;
  };

  for await (const chunk of chunks) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (;;) {
      const end = buffer.search(/[\r\n]/);
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
      if (end === -1 || (buffer[end] === '\r' && end === buffer.length - 1)) break;
      const line = buffer.slice(0, end);
      buffer = buffer.slice(buffer.startsWith('\r\n', end) ? end + 2 : end + 1);
      const complete = applyLine(line);
      if (complete) yield complete;
    }
  }
  buffer += decoder.decode();
  // The standard drops an event the stream ends in the middle of; some proxies strip the final
  // blank line, and the event is whole either way, so dispatch it.
  for (const line of [...buffer.split(/\r\n|\r|\n/), '']) {
    const complete = applyLine(line);
    if (complete) yield complete;
  }
}
