/**
 * The backend's shared layer: {@link defineBackend} builds the whole `Backend` class from
 * a backend's name, capabilities, state and driver factories.
 *
 * @example
 * ```ts
 * import { defineBackend } from "@core/protocols/kit";
 * ```
 *
 * @packageDocumentation
 */
export type { BackendDefinition, Protocol } from "./backend-definition.js";
export { type BackendClass, DefinedBackend, defineBackend } from "./define-backend.js";
