import { afterAll, beforeAll, describe, test } from "vitest";
import { describeCapability } from "../gate.js";
import { freshName } from "../names.js";
import type { ConformanceOptions } from "../options.js";
import { SUITE_TEST_TIMEOUT_MS } from "../options.js";
import { registerRecordBasics } from "./basics.js";
import { registerRecordBatch } from "./batch.js";
import { registerRecordClients } from "./clients.js";
import { createRecordsContext, expectCode } from "./context.js";
import { registerRecordDerivedState } from "./derived-state.js";
import { registerRecordEquality } from "./equality.js";
import { registerRecordOrdering } from "./ordering.js";
import { registerRecordPaging } from "./paging.js";
import { registerRecordPromote } from "./promote.js";
import { registerRecordProperties } from "./properties.js";
import { registerRecordQuery } from "./query.js";
import { registerRecordSightings } from "./sightings.js";
import { registerRecordTimestamps } from "./timestamps.js";
import { registerRecordValidation } from "./validation.js";

/**
 * Registers the record store conformance suite (PROTOCOLS.md §0 and §3) for a backend.
 * The capabilities are read from an instance while collecting, so a backend without
 * `records` gets a test that the protocol is `NOT_SUPPORTED` and its tests reported as skipped
 * ("records: not supported by this backend") — never passing tests that ran nothing.
 * Every test uses its own collection (`freshName("records")`), so suites may run in
 * parallel against one server.
 *
 * @example
 * ```ts
 * import { describeRecordStoreConformance } from "@core/conformance";
 * describeRecordStoreConformance({ name: "memory", open: () => openMemoryBackend() });
 * ```
 */
export function describeRecordStoreConformance(options: ConformanceOptions): void {
  describe(`record store conformance: ${options.name}`, { timeout: SUITE_TEST_TIMEOUT_MS }, async () => {
    const probe = await options.open();
    const caps = probe.capabilities;
    await probe.close();
    const ctx = createRecordsContext(options, caps);

    beforeAll(async () => {
      ctx.backend = await options.open();
    });
    afterAll(async () => {
      await ctx.backend?.close();
    });

    if (!caps.records) {
      test("backend.records() is NOT_SUPPORTED without capabilities.records", async () => {
        await expectCode(async () => {
          const store = ctx.backend.records(freshName("records"));
          await store.store({ id: "a", naturalKey: "a", content: {} });
        }, "NOT_SUPPORTED");
      });
    }

    describeCapability(caps.records, "records", () => {
      describe("store, get, versions, natural keys, layers", () => registerRecordBasics(ctx));
      describe("storeBatch", () => registerRecordBatch(ctx));
      describe("promote between layers", () => registerRecordPromote(ctx));
      describe("preserveTimestamps (historic imports)", () => registerRecordTimestamps(ctx));
      describe("query filters, layer, count, limit and offset", () => registerRecordQuery(ctx));
      describe("equality filters after writes, sparse and dense", () => registerRecordEquality(ctx));
      describe("ordering and timestamps", () => registerRecordOrdering(ctx));
      describe("keyset cursors", () => registerRecordPaging(ctx));
      describe("sightings", () => registerRecordSightings(ctx));
      describe("bad input", () => registerRecordValidation(ctx));
      describe("close, reopen and other clients", () => registerRecordClients(ctx));
      describe("properties against the reference model", () => registerRecordProperties(ctx));
      describe("derived state after writes", () => registerRecordDerivedState(ctx));
    });
  });
}
