import type { Transport, TransportOptions } from "@core/protocols";
import { describeTransportConformance } from "../../src/index.js";
import { brokenBackend, override } from "./override.js";

describeTransportConformance({
  name: "broken: transport never redelivers",
  open: () =>
    brokenBackend((b) => ({
      transport: (options?: TransportOptions) => {
        const inner = b.transport(options);
        return override<Transport>(inner, {
          // Swallowing the handler's failure acknowledges the message: it is never retried.
          subscribe: (channel, handler, opts) =>
            inner.subscribe(
              channel,
              async (message) => {
                try {
                  await handler(message);
                } catch {}
              },
              opts,
            ),
        });
      },
    })),
});
