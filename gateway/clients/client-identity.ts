import type { IncomingHttpHeaders } from 'node:http';

export interface ClientIdentity {
  name: string;
  version: string;
}

const MAX_CHARS = 100;

const headerValue = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim().slice(0, MAX_CHARS);

/** The calling client's name and version from Apollo's client-awareness headers; '' when absent. */
export function clientIdentityOf(headers: IncomingHttpHeaders): ClientIdentity {
  return {
    name: headerValue(headers['apollographql-client-name']),
    version: headerValue(headers['apollographql-client-version']),
  };
}
