import { BackendError } from "../../errors.js";

/** A range `[from, to)` of a group's entries handed to `member` until `until` (ms since the epoch). */
export interface GroupClaim {
  from: number;
  /** Never changes while the claim lives: with `member` it names the claim. */
  readonly to: number;
  until: number;
  member: string;
}

/**
 * What a group stream keeps per group (the driver stores it as text and swaps it
 * atomically): `next`, the first offset never handed out, and the claims in flight.
 * Everything below the lowest claim (or `next`) is committed.
 */
export interface GroupState {
  next: number;
  claims: GroupClaim[];
}

/** A released claim: expired at once, so the next member to look takes it. */
const RELEASED = 0;

/**
 * Reads a stored claim record; a record this layer cannot read is `CORRUPTION`.
 *
 * @example
 * ```ts
 * const state = parseGroupState("sqlite", '{"next":4,"claims":[]}');
 * ```
 */
export function parseGroupState(backend: string, text: string): GroupState {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (cause) {
    throw new BackendError("CORRUPTION", "a consumer group's claim record is not JSON", { backend, cause });
  }
  const shape = state as Partial<GroupState> | null;
  if (typeof shape?.next !== "number" || !Array.isArray(shape.claims)) {
    throw new BackendError("CORRUPTION", "a consumer group's claim record has the wrong shape", { backend });
  }
  return shape as GroupState;
}

/**
 * The text stored for a state (claims in offset order, so equal states are equal texts).
 *
 * @example
 * ```ts
 * await log.swapGroupState(group, before, formatGroupState(state));
 * ```
 */
export function formatGroupState(state: GroupState): string {
  state.claims.sort((a, b) => a.from - b.from);
  return JSON.stringify(state);
}

/**
 * The group's committed offset: every entry below it is committed.
 *
 * @example
 * ```ts
 * lowWatermark({ next: 10, claims: [{ from: 4, to: 6, until: 0, member: "" }] }); // 4
 * ```
 */
export function lowWatermark(state: GroupState): number {
  let low = state.next;
  for (const claim of state.claims) if (claim.from < low) low = claim.from;
  return low;
}

/**
 * The claim whose lease ended first among the ended ones, if any (redelivered before new
 * entries, so old entries do not wait behind new ones).
 *
 * @example
 * ```ts
 * const stale = expiredClaim(state, Date.now());
 * ```
 */
export function expiredClaim(state: GroupState, now: number): GroupClaim | undefined {
  let found: GroupClaim | undefined;
  for (const claim of state.claims)
    if (claim.until <= now && (found === undefined || claim.from < found.from)) found = claim;
  return found;
}

/**
 * When the next lease ends (ms since the epoch), or undefined without claims.
 *
 * @example
 * ```ts
 * const wakeAt = nextExpiry(state);
 * ```
 */
export function nextExpiry(state: GroupState): number | undefined {
  let at: number | undefined;
  for (const claim of state.claims) if (at === undefined || claim.until < at) at = claim.until;
  return at;
}

/**
 * The claim `member` holds ending at `to`, if it still does.
 *
 * @example
 * ```ts
 * const mine = findClaim(state, member, batch.to);
 * ```
 */
export function findClaim(state: GroupState, member: string, to: number): GroupClaim | undefined {
  for (const claim of state.claims) if (claim.to === to && claim.member === member) return claim;
  return undefined;
}

/**
 * Commits a claim up to `upTo` (exclusive): the claim shrinks, or goes once all of it is.
 *
 * @example
 * ```ts
 * commitClaim(state, mine, entry.offset + 1);
 * ```
 */
export function commitClaim(state: GroupState, claim: GroupClaim, upTo: number): void {
  if (upTo >= claim.to) state.claims.splice(state.claims.indexOf(claim), 1);
  else if (upTo > claim.from) claim.from = upTo;
}

/**
 * Hands the uncommitted rest of a claim (from `from`) back to the group at once.
 *
 * @example
 * ```ts
 * releaseClaim(state, mine, firstUnhandled);
 * ```
 */
export function releaseClaim(state: GroupState, claim: GroupClaim, from: number): void {
  commitClaim(state, claim, from);
  if (state.claims.includes(claim)) {
    claim.until = RELEASED;
    claim.member = "";
  }
}
