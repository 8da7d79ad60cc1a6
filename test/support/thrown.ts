/** Runs `fn` and returns what it threw, failing when it did not throw. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** What `promise` rejected with, failing when it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** The shape of a BAD_USER_INPUT GraphQLError naming `field`, for `toMatchObject`. */
export const badInput = (field: string) => ({ extensions: { code: 'BAD_USER_INPUT', field } });
