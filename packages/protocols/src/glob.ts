import { invalidArgument } from "./errors.js";
import { describeValue } from "./validation.js";

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
  // Split into code points so `?` consumes one code point (an emoji counts as one).
  const glob = Array.from(pattern);
  return (key) => matchWildcard(glob, Array.from(key));
}

/**
 * Two-pointer wildcard match with backtracking to the most recent `*` only: O(n·m) worst
 * case instead of the exponential backtracking a regex engine does on `*a*a*a…`.
 */
function matchWildcard(glob: readonly string[], key: readonly string[]): boolean {
  let g = 0;
  let k = 0;
  let starG = -1;
  let starK = 0;
  while (k < key.length) {
    const char = glob[g];
    if (g < glob.length && char !== "*" && (char === "?" || char === key[k])) {
      g++;
      k++;
    } else if (char === "*") {
      starG = g++;
      starK = k;
    } else if (starG !== -1) {
      g = starG + 1;
      k = ++starK;
    } else {
      return false;
    }
  }
  while (glob[g] === "*") g++;
  return g === glob.length;
}
