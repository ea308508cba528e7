import { BackendError } from "@core/protocols";
import { describe, expect, it } from "vitest";
import { connectionFields } from "./connection-fields.js";
import { openPostgresBackend } from "./index.js";
import { POSTGRES_URL } from "./postgres.fixture.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return BackendError.is(err) ? err.code : `not a BackendError: ${String(err)}`;
  }
  return undefined;
}

describe("host/port/database/user/password options", () => {
  it("pass valid fields through as pg config", () => {
    expect(connectionFields({ host: "db", port: 6432, database: "app", user: "u", password: "p" }, false)).toEqual({
      host: "db",
      port: 6432,
      database: "app",
      user: "u",
      password: "p",
    });
    expect(connectionFields({}, true)).toEqual({});
  });

  it("reject bad fields and combinations with INVALID_ARGUMENT", async () => {
    for (const bad of [{ port: 0 }, { port: 70000 }, { port: "5432" }, { host: "" }, { user: 1 }]) {
      expect(
        codeOf(() => connectionFields(bad as never, false)),
        JSON.stringify(bad),
      ).toBe("INVALID_ARGUMENT");
    }
    expect(codeOf(() => connectionFields({ host: "db" }, true))).toBe("INVALID_ARGUMENT");
    const err = await openPostgresBackend({ connectionString: POSTGRES_URL, host: "elsewhere" }).catch((e) => e);
    expect(BackendError.is(err, "INVALID_ARGUMENT")).toBe(true);
  });
});
