/** One ref'd timer held while any blocking wait of this process is active. */
let holders = 0;
let handle: NodeJS.Timeout | undefined;

/**
 * Keeps the process alive while a blocking wait (a `stream({ block: true })` at the end
 * of its log, a subscription waiting for messages) is active: nothing else in a memory
 * backend would, so a worker whose only work is waiting would exit. Returns the release
 * function (idempotent); the last release lets the process exit again.
 *
 * @example
 * ```ts
 * const release = holdProcess();
 * try { await nextAppend; } finally { release(); }
 * ```
 */
export function holdProcess(): () => void {
  holders += 1;
  // The longest delay a timer takes; it never fires in practice, it only holds a ref.
  handle ??= setInterval(() => {}, 2 ** 31 - 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0 && handle !== undefined) {
      clearInterval(handle);
      handle = undefined;
    }
  };
}
