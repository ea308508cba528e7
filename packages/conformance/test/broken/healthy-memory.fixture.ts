// Control: the same suites against the unbroken memory backend must report no failure,
// so the failures above come from the injected bugs and nothing else.

import { openMemoryBackend } from "../../../backend-memory/src/index.js";
import {
  describeCacheConformance,
  describeQueueConformance,
  describeRecordStoreConformance,
  describeTransportConformance,
} from "../../src/index.js";

const open = () => openMemoryBackend();
describeCacheConformance({ name: "healthy memory", open });
describeQueueConformance({ name: "healthy memory", open });
describeRecordStoreConformance({ name: "healthy memory", open });
describeTransportConformance({ name: "healthy memory", open });
