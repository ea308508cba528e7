import type { Backend } from "@core/protocols";
import type { Profile } from "../profile.js";
import type { Progress } from "../progress.js";
import type { BenchResult } from "../results.js";
import { type BackendName, reason } from "../targets.js";
import { withTimeout } from "../timeout.js";

/** How long opening or closing a peer may take. */
export const OPEN_TIMEOUT_MS = 20_000;

/** What every scenario of one backend shares: where results go and how a failure is recorded. */
export interface Run {
  backend: BackendName;
  ours: Backend;
  profile: Profile;
  progress: Progress;
  filter?: string;
  out: BenchResult[];
  tag: string;
}

/**
 * Records a peer scenario that produced no number.
 *
 * @example
 * ```ts
 * missing(run, label, "capability queue is false", true);
 * ```
 */
export function missing(run: Run, label: string, why: string, byCapability = false): void {
  run.out.push({
    kind: "not-measured",
    backend: run.backend,
    section: "peers",
    operation: label,
    reason: why,
    byCapability,
  });
}

/**
 * Runs one scenario unless filtered out; a throw (or the scenario timeout) becomes
 * "not measured" for its labels. Steps the progress bar once per label.
 *
 * @example
 * ```ts
 * await scenario(run, [label], async () => run.out.push(await measureSomething()));
 * ```
 */
export async function scenario(run: Run, labels: string[], body: () => Promise<void>): Promise<void> {
  if (run.filter && !labels.some((l) => l.includes(run.filter!))) {
    for (const l of labels) run.progress.step(`${l} (filtered out)`);
    return;
  }
  try {
    await withTimeout(body(), run.profile.scenarioTimeoutMs, labels[0]!);
  } catch (err) {
    for (const l of labels) missing(run, l, reason(err));
  }
  for (const l of labels) run.progress.step(l);
}
