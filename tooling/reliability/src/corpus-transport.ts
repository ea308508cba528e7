import type { Message } from "@core/protocols";
import { BAD_VALUES, type BadCase, message } from "./corpus-inputs.js";

/**
 * Bad calls of the transport protocol: unencodable payloads, malformed messages and
 * batches, and bad subscribe arguments.
 *
 * @example
 * ```ts
 * for (const c of transportCases()) await expectInvalid(() => c.call(stores));
 * ```
 */
export function transportCases(): BadCase[] {
  const out: BadCase[] = [];
  for (const [label, value] of BAD_VALUES) {
    out.push({
      label: `payload ${label} second of two`,
      call: (s) => s.transport.send("seed-ch", [message(), message({ payload: value() })]),
    });
  }
  const fields: [string, Partial<Record<keyof Message, unknown>>][] = [
    ["id number", { id: 5 }],
    ["id empty", { id: "" }],
    ["headers not an object", { headers: "x" }],
    ["header value number", { headers: { a: 1 } }],
    ["publishedAt NaN", { publishedAt: Number.NaN }],
    ["publishedAt string", { publishedAt: "now" }],
    ["idempotencyKey number", { idempotencyKey: 5 }],
  ];
  for (const [label, extra] of fields) {
    out.push({ label: `message ${label}`, call: (s) => s.transport.send("seed-ch", [message(), message(extra)]) });
  }
  out.push(
    { label: "send not an array", call: (s) => s.transport.send("seed-ch", message() as never) },
    { label: "send a null message", call: (s) => s.transport.send("seed-ch", [message(), null as never]) },
    { label: "subscribe handler not a function", call: (s) => s.transport.subscribe("seed-ch", "h" as never) },
    { label: "subscribe options not an object", call: (s) => s.transport.subscribe("seed-ch", () => {}, 5 as never) },
    {
      label: "subscribe fromStart not boolean",
      call: (s) => s.transport.subscribe("seed-ch", () => {}, { fromStart: "yes" as never }),
    },
  );
  return out;
}
