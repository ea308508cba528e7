import type { Layer } from "@core/protocols";
import { RECORDS_NAME } from "./api-records.js";
import { ApiError, intField, stringField } from "./http-errors.js";
import type { Router } from "./router.js";
import type { PlaygroundSession } from "./session.js";

/**
 * Layer promotion: `POST /api/records/promote { id, toLayer, expectedVersion? }` runs
 * `RecordStore.promote` on the page's record store and answers the record as stored; a
 * missing id is `NOT_FOUND`, a stale `expectedVersion` the store's `CONFLICT`.
 *
 * @example
 * ```ts
 * promoteRoutes(router, session);
 * // POST /api/records/promote { "id": "sample-1", "toLayer": "gold", "expectedVersion": 1 }
 * ```
 */
export function promoteRoutes(router: Router, session: PlaygroundSession): void {
  router.add("POST", "/api/records/promote", async (ctx) => {
    const body = await ctx.body();
    const id = stringField(body, "id");
    // The layer and the version are checked by the store (its INVALID_ARGUMENT says how).
    const toLayer = stringField(body, "toLayer") as Layer;
    const expectedVersion = intField(body, "expectedVersion");
    const options = expectedVersion === undefined ? undefined : { expectedVersion };
    const record = await session.timed("records", "promote", (b) =>
      b.records(RECORDS_NAME).promote(id, toLayer, options),
    );
    if (record === null) throw new ApiError("NOT_FOUND", `no record ${JSON.stringify(id)}`);
    return record;
  });
}
