import { describeRecordStoreConformance } from "@core/conformance";
import { openMemoryBackend } from "./index.js";

describeRecordStoreConformance({ name: "memory", open: () => openMemoryBackend() });
