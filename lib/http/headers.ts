import type { IncomingHttpHeaders } from 'node:http';

/** A request or response header's value; the first, when it was sent more than once. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
