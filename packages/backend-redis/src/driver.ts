import { peerDriver } from "@core/protocols/kit";
import type * as IORedis from "ioredis";

/**
 * Loads ioredis (a peer dependency) once, on the first open from a URL; without it,
 * opening fails with `NOT_INSTALLED` and the install command.
 */
export const loadIoredis = peerDriver<typeof IORedis>({
  backend: "redis",
  driver: "ioredis",
  major: "5",
  importer: (specifier) => import(specifier),
});
