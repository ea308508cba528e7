import type { Backend } from "@core/protocols";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BadCase, corpus, type Group, type Stores } from "./corpus.js";
import { invalidArgumentProblem, outcome } from "./outcome.js";
import { apiSnapshot, seed, stores } from "./state.js";
import { BACKENDS, createTarget, type Target } from "./targets.js";

const CORPUS = corpus();
const GROUPS = Object.keys(CORPUS) as Group[];

// Each case runs alone between two snapshots, so a change is pinned on the call that made it.
async function runCase(target: Target, s: Stores, c: BadCase): Promise<string | null> {
  const rawBefore = await target.raw();
  const o = await outcome(() => c.call(s));
  const rawAfter = await target.raw();
  const problem = invalidArgumentProblem(o, s.backend.name);
  if (problem) return `${c.label}: ${problem}`;
  try {
    expect(rawAfter).toEqual(rawBefore);
  } catch {
    return `${c.label}: the stored bytes changed (${diffKeys(rawBefore, rawAfter)})`;
  }
  return null;
}

function diffKeys(a: unknown, b: unknown): string {
  const x = (a ?? {}) as Record<string, unknown>;
  const y = (b ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).join(", ");
}

for (const name of BACKENDS) {
  describe(`bad input: ${name}`, () => {
    let target: Target;
    let backend: Backend;
    let s: Stores;

    beforeAll(async () => {
      target = await createTarget(name);
      backend = await target.open();
      s = stores(backend);
      await seed(s);
    });
    afterAll(async () => {
      await backend?.close();
      await target?.dispose();
    });

    for (const group of GROUPS) {
      it(`every ${group} case is INVALID_ARGUMENT with a useful message and leaves the store byte-for-byte unchanged`, async () => {
        const before = await apiSnapshot(s);
        const problems: string[] = [];
        for (const c of CORPUS[group]) {
          const problem = await runCase(target, s, c);
          if (problem) problems.push(problem);
        }
        expect(problems).toEqual([]);
        expect(await apiSnapshot(s)).toEqual(before);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });
    }
  });
}
