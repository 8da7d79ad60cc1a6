/** A field whose feature is still being built on this branch of issue 13. */
export function notBuiltYet(what: string): never {
  throw new Error(`${what} is not built yet.`);
}
