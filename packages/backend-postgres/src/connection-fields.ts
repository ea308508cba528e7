import { invalidArgument } from "@core/protocols/kit";
import { BACKEND } from "./errors.js";

/** The server and login as separate options, the SQL guide's `ConnectionConfig` fields. */
export interface PostgresConnectionFields {
  /** Server host name, IP address or Unix socket directory. Default: pg's `PGHOST`, else localhost. */
  host?: string;
  /** Server port. Default: `PGPORT`, else 5432. */
  port?: number;
  /** Database name. Default: `PGDATABASE`, else the user name. */
  database?: string;
  /** Role to log in as. Default: `PGUSER`, else the OS user. */
  user?: string;
  /** Password. Default: `PGPASSWORD` or `~/.pgpass`. */
  password?: string;
}

const FIELDS = ["host", "port", "database", "user", "password"] as const;

/**
 * Validates `host`, `port`, `database`, `user` and `password` and returns them as pg pool
 * config. They are the alternative to `connectionString` (pg would let the string win
 * silently), so combining them with it — or with `pool` — is `INVALID_ARGUMENT`, as are
 * empty strings and a port outside 1–65535.
 *
 * @example
 * ```ts
 * const fields = connectionFields({ host: "db", port: 5432, user: "app" }, false); // { host: "db", port: 5432, user: "app" }
 * ```
 */
export function connectionFields(options: PostgresConnectionFields, exclusive: boolean): PostgresConnectionFields {
  const out: PostgresConnectionFields = {};
  for (const field of FIELDS) {
    const value = options[field];
    if (value === undefined) continue;
    if (exclusive) {
      throw invalidArgument(BACKEND, `${field} cannot be combined with connectionString or pool; use one of them`);
    }
    if (field === "port") {
      if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
        throw invalidArgument(BACKEND, `port must be an integer from 1 to 65535, got ${JSON.stringify(value)}`);
      }
      out.port = value;
    } else if (typeof value !== "string" || value === "") {
      throw invalidArgument(BACKEND, `${field} must be a non-empty string`);
    } else {
      out[field] = value;
    }
  }
  return out;
}
