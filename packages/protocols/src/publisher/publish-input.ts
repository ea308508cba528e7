import { defaultCodec } from "../codec.js";
import { BackendError, invalidArgument } from "../errors.js";
import { checkSendOptions, SEND_OPTION_NAMES } from "../send-options.js";
import type { SendOptions, Transport } from "../transport.js";
import { assertKey, assertPlainObject, checkKeys, describeValue } from "../validation.js";
import { assertTransportsHonour, checkTimeout, type ResolvedChannel } from "./resolve-channel.js";
import type { PublishOptions } from "./types.js";

const NAME = "publisher";
const PUBLISH_FIELDS = new Set(["idempotencyKey", "headers", "timeoutMs", ...SEND_OPTION_NAMES]);

/** `publish` options after validation, merged with the channel's. */
export interface CheckedPublish {
  readonly key: string | undefined;
  readonly headers: Record<string, string>;
  /** Send options for every transport of the channel (the publish's over the channel's). */
  readonly send: SendOptions | undefined;
  readonly timeoutMs: number | undefined;
}

function copyHeaders(headers: unknown): Record<string, string> {
  assertPlainObject(NAME, headers, "headers");
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.length === 0) throw invalidArgument(NAME, "header names must not be empty");
    if (typeof value !== "string") {
      throw invalidArgument(NAME, `header ${JSON.stringify(name)} must be a string, got ${describeValue(value)}`);
    }
    // Plain assignment of "__proto__" would hit the prototype setter and drop the header.
    Object.defineProperty(copy, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/**
 * Validates `publish` options before anything is sent: known fields only, a valid
 * idempotency key, string headers, a positive `timeoutMs`, and send options every
 * transport of the channel honours (`NOT_SUPPORTED` otherwise). The publish's send
 * options override the channel's field by field.
 *
 * @example
 * ```ts
 * const { key, headers, send } = checkPublishOptions({ delayMs: 50 }, resolved, transports, "orders");
 * ```
 */
export function checkPublishOptions(
  options: PublishOptions,
  channel: ResolvedChannel,
  transports: ReadonlyMap<string, Transport>,
  name: string,
): CheckedPublish {
  assertPlainObject(NAME, options, "publish options");
  checkKeys(NAME, options, PUBLISH_FIELDS, "publish options");
  const { idempotencyKey: key, headers = {}, delayMs, priority, key: routingKey } = options;
  if (key !== undefined) assertKey(NAME, key);
  const own = checkSendOptions(NAME, { delayMs, priority, key: routingKey }, SEND_OPTION_NAMES, "publish options");
  let send = channel.send;
  if (own !== undefined) {
    assertTransportsHonour(channel.transports, transports, own, name);
    send = send === undefined ? own : { ...send, ...own };
  }
  const timeoutMs = options.timeoutMs === undefined ? channel.timeoutMs : checkTimeout(options.timeoutMs, "timeoutMs");
  return { key, headers: copyHeaders(headers), send, timeoutMs };
}

/**
 * The payload to send: a function payload is called (once) and awaited; its value must be
 * encodable like any payload (`INVALID_ARGUMENT` otherwise). An error the function throws
 * is the caller's own and passes through unchanged.
 *
 * @example
 * ```ts
 * const payload = await resolvePayload(() => loadOrder(id)); // the order
 * ```
 */
export async function resolvePayload(payload: unknown): Promise<unknown> {
  const value = typeof payload === "function" ? await (payload as () => unknown)() : payload;
  assertEncodable(value);
  return value;
}

/**
 * Throws `INVALID_ARGUMENT` when the codec cannot encode `payload`.
 *
 * @example
 * ```ts
 * assertEncodable({ sku: 1 });
 * ```
 */
export function assertEncodable(payload: unknown): void {
  try {
    defaultCodec.encode(payload);
  } catch (cause) {
    throw new BackendError("INVALID_ARGUMENT", `payload cannot be encoded: ${(cause as Error).message}`, {
      backend: NAME,
      cause,
    });
  }
}
