import type { RecordStore, RecordStoreOptions } from "@core/protocols";
import { describeRecordStoreConformance } from "../../src/index.js";
import { brokenBackend, override } from "./override.js";

describeRecordStoreConformance({
  name: "broken: recordSighting always says new",
  open: () =>
    brokenBackend((b) => ({
      records: (name: string, options?: RecordStoreOptions) => {
        const inner = b.records(name, options);
        return override<RecordStore>(inner, {
          recordSighting: async (sighting) => {
            await inner.recordSighting(sighting);
            return true;
          },
        });
      },
    })),
});
