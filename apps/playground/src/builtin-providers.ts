import { type BackendProvider, BUILTIN_SCHEMES, loadProvider, registerBackend } from "@core/protocols";

async function providerOf(packageName: string): Promise<BackendProvider> {
  try {
    // Resolved from this app, which lists every built-in backend as a dependency.
    const mod = (await import(packageName)) as { provider?: BackendProvider };
    if (mod.provider) return mod.provider;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw err;
  }
  // Not resolvable from here: the registry's own lookup gives NOT_INSTALLED naming it.
  return loadProvider(packageName);
}

/**
 * Registers the built-in schemes with providers resolved from the playground itself.
 * The registry in @core/protocols resolves backend packages from its own location and
 * the working directory; under pnpm's strict layout neither sees them when the CLI runs
 * from the repository root (`pnpm demo`), while this app's dependencies always do.
 * Packages load on first use only, so a missing one still fails with NOT_INSTALLED.
 *
 * @example
 * ```ts
 * registerBuiltinProviders();
 * await openBackend("sqlite::memory:");
 * ```
 */
export function registerBuiltinProviders(): void {
  for (const [scheme, packageName] of Object.entries(BUILTIN_SCHEMES)) {
    registerBackend({
      name: packageName,
      schemes: [scheme],
      open: async (url, options) => (await providerOf(packageName)).open(url, options),
    });
  }
}
