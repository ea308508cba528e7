import { invalidArgument } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";

/** The protocols that own a key space. */
export type Protocol = "c" | "q" | "r" | "t";

// `%` first so the escaping is injective; `{`/`}` would break the hash tag; `:` keeps the
// segments of a key unambiguous.
const ESCAPES: Readonly<Record<string, string>> = { "%": "%25", "{": "%7B", "}": "%7D", ":": "%3A" };
const ESCAPABLE = /[%{}:]/g;
const GLOB_SPECIAL = /[\\*?[\]]/g;

/** Escapes a store name for use inside a hash tag. */
export function escapeName(name: string): string {
  return name.replace(ESCAPABLE, (c) => ESCAPES[c] as string);
}

/** Escapes literal text for a Redis `SCAN MATCH` pattern. */
export function escapeGlob(text: string): string {
  return text.replace(GLOB_SPECIAL, "\\$&");
}

/**
 * Validates a key prefix: 1–64 characters without `{`, `}` or control characters, so it
 * can never contain (or break) the namespace's hash tag.
 */
export function checkPrefix(prefix: unknown): string {
  if (
    typeof prefix !== "string" ||
    prefix.length === 0 ||
    prefix.length > 64 ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
    /[{}\u0000-\u001f\u007f]/.test(prefix)
  ) {
    throw invalidArgument(BACKEND, "prefix must be 1–64 characters without {, } or control characters");
  }
  return prefix;
}

/**
 * The base of every key of one namespace: `{prefix}:{<protocol>:<escaped name>}`. All keys
 * of a namespace share the hash tag, so multi-key commands and scripts run on one Redis
 * Cluster slot; user keys come after the tag, where braces no longer matter.
 */
export function namespaceKey(prefix: string, protocol: Protocol, name: string): string {
  return `${prefix}:{${protocol}:${escapeName(name)}}`;
}
