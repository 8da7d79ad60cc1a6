/** The credential is missing or wrong: 401. */
export class AuthenticationError extends Error {}

/** The credential could not be checked (the key store is unreachable): 503, try again. */
export class AuthenticationUnavailableError extends Error {}
