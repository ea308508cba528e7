/**
 * Runs `fn` and turns whatever it throws or rejects with into `map(err, what)`: a
 * backend's native errors become `BackendError`s in one place. Not an async function: it
 * runs on every command or statement, and returning `fn`'s own promise with one rejection
 * handler saves a promise and its ticks per call.
 *
 * @example
 * ```ts
 * const value = await mapFailure("cache.get", () => client.call("GET", key), toBackendError);
 * ```
 */
export function mapFailure<T>(
  what: string,
  fn: () => Promise<T>,
  map: (err: unknown, what: string) => Error,
): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = fn();
  } catch (err) {
    return Promise.reject(map(err, what));
  }
  return promise.catch((err: unknown) => {
    throw map(err, what);
  });
}
