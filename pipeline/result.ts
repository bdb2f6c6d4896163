/** Expected failures are values; only bugs throw. */
export type Result<T, E> =
  | {
      ok: true;
      /** What the call made. */
      value: T;
    }
  | {
      ok: false;
      /** Why it could not: a message, or a value the caller switches on. */
      error: E;
    };

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
