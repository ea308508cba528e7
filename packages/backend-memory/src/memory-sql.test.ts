import { describeSqlConformance } from "@core/conformance";
import { openMemoryBackend } from "./index.js";

// The memory backend has no SQL: the suite checks that sql() is NOT_SUPPORTED.
describeSqlConformance({ name: "memory", open: () => openMemoryBackend() });
