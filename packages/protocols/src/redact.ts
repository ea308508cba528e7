/**
 * Replaces the password of every URL-looking credential in `text` with `***`, so a
 * connection string can go into an error message or a log line.
 *
 * @example
 * ```ts
 * redactUrl("postgres://app:s3cret@db/x"); // "postgres://app:***@db/x"
 * ```
 */
export function redactUrl(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, "$1***@")
    .replace(/([?&](?:password|pass|pwd)=)[^&\s]*/gi, "$1***");
}
