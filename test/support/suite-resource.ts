/**
 * Opens a resource in beforeAll and closes it in afterAll, for the enclosing describe block. What
 * it returns stands for the resource in the hooks and tests registered after it (jest runs
 * beforeAll hooks in order); used at describe time, before the resource is open, it throws.
 * The resource must be a plain object (its methods closures, not class methods with # fields).
 */
export function suiteResource<T extends object>(
  open: () => Promise<T>,
  close: (resource: T) => Promise<void>,
  timeoutMs?: number,
): T {
  let opened: T | undefined;
  beforeAll(async () => {
    opened = await open();
  }, timeoutMs);
  afterAll(async () => {
    if (opened) await close(opened);
  });
  return new Proxy({} as T, {
    get(_target, key) {
      if (!opened) throw new Error('Opened in beforeAll: use it in hooks and tests.');
      return Reflect.get(opened, key);
    },
  });
}
