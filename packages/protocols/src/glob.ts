import { invalidArgument } from "./errors.js";
import { describeValue } from "./validation.js";

// Exactly the characters `u`-mode regexes allow (and need) to be escaped.
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/]/g;

function isLiteral(pattern: string): boolean {
  return !pattern.includes("*") && !pattern.includes("?");
}

/**
 * Compiles a cache `keys({ match })` glob into a predicate. `*` matches any run of
 * characters (including `/` and newlines), `?` exactly one character (one code point, so
 * an emoji counts as one); every other character, regex metacharacters included, matches
 * itself. There is no escape syntax and no `[...]` class, so every backend can implement
 * the same language (Redis' richer `MATCH` syntax is narrowed to this by its backend).
 *
 * @example
 * ```ts
 * const match = compileGlob("user:*");
 * match("user:42"); // true
 * match("item:1");  // false
 * ```
 */
export function compileGlob(pattern: string): (key: string) => boolean {
  if (typeof pattern !== "string") {
    throw invalidArgument("glob", `match must be a string, got ${describeValue(pattern)}`);
  }
  // Fast paths: most calls are "*", a prefix, or an exact key.
  if (pattern === "*") return () => true;
  if (isLiteral(pattern)) return (key) => key === pattern;
  const star = pattern.indexOf("*");
  if (star === pattern.length - 1 && !pattern.includes("?")) {
    const prefix = pattern.slice(0, -1);
    return (key) => key.startsWith(prefix);
  }
  let source = "^";
  for (const char of pattern) {
    if (char === "*") source += "[^]*";
    else if (char === "?") source += ".";
    else source += char.replace(REGEX_SPECIAL, "\\$&");
  }
  // `u`: `.` is one code point; `s`: `.` also matches line terminators.
  const regex = new RegExp(`${source}$`, "su");
  return (key) => regex.test(key);
}
