import { type Backend, type Message, registerBackend, type Transport } from "@core/protocols";
import { defineCapabilities, Lifecycle, notSupported } from "@core/protocols/kit";

/**
 * A backend written right here, to show the extension path: it implements only the
 * transport protocol (an append-only audit log kept in memory), declares that in its
 * capabilities, and is plugged into `openBackend("audit:")` with `registerBackend`.
 */
class AuditBackend implements Backend {
  readonly name = "audit";
  readonly capabilities = defineCapabilities({ transport: true, delivery: "at-most-once" });
  readonly log: { channel: string; message: Message }[] = [];
  readonly #life = new Lifecycle("audit");

  transport(): Transport {
    const life = this.#life;
    const log = this.log;
    return {
      name: "audit",
      delivery: "at-most-once",
      send: (channel, messages) =>
        life.run(async () => {
          for (const message of messages) log.push({ channel, message });
        }),
      subscribe: () => Promise.reject(notSupported("audit", "subscribe")),
      close: async () => {},
    };
  }

  cache(): never {
    throw notSupported("audit", "cache");
  }
  queue(): never {
    throw notSupported("audit", "queue");
  }
  records(): never {
    throw notSupported("audit", "records");
  }
  sql(): never {
    throw notSupported("audit", "sql");
  }
  close(): Promise<void> {
    return this.#life.close();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Registers the `audit:` scheme (idempotent) and returns the audit log of backends it opens.
 *
 * @example
 * ```ts
 * registerAuditBackend();
 * const audit = await openBackend("audit:");
 * ```
 */
export function registerAuditBackend(): void {
  registerBackend({ name: "audit", schemes: ["audit"], open: async () => new AuditBackend() });
}

/**
 * Entries an `audit:` backend has logged.
 *
 * @example
 * ```ts
 * auditLog(backend).length;
 * ```
 */
export function auditLog(backend: Backend): readonly { channel: string; message: Message }[] {
  return backend instanceof AuditBackend ? backend.log : [];
}
