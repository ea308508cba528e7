import type { Queue, QueueOptions } from "@core/protocols";
import { describeQueueConformance } from "../../src/index.js";
import { brokenBackend, override } from "./override.js";

describeQueueConformance({
  name: "broken: queue drops the last entry of a batch",
  open: () =>
    brokenBackend((b) => ({
      queue: <V>(name: string, options?: QueueOptions) => {
        const inner = b.queue<V>(name, options);
        return override<Queue<V>>(inner, {
          putBatch: async (values, opts) => {
            const { first } = await inner.putBatch(values.slice(0, -1), opts);
            return { first, count: values.length };
          },
        });
      },
    })),
});
