/** What better-sqlite3 12 throws on `new Database()` when its install script never ran. */
export default class UnbuiltDatabase {
  constructor() {
    throw new Error(
      "Could not locate the bindings file. Tried:\n → /app/node_modules/better-sqlite3/build/better_sqlite3.node",
    );
  }
}
