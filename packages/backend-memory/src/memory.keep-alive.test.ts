import { describeKeepAliveConformance } from "@core/conformance";
import { openMemoryBackend } from "./index.js";

// The child runs plain Node: it opens the built package (run `pnpm build` first).
describeKeepAliveConformance({
  name: "memory",
  open: () => openMemoryBackend(),
  child: { module: new URL("../dist/index.js", import.meta.url).href, export: "openMemoryBackend" },
});
