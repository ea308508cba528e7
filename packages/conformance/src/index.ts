export { describeCacheConformance } from "./cache/suite.js";
export { freshName, sleep, waitFor } from "./names.js";
export type { ConformanceOptions } from "./options.js";
export { describeQueueConformance } from "./queue/suite.js";
export { describeRecordStoreConformance } from "./records/suite.js";
export { describePublisherConformance } from "./transport/publisher.js";
export { describeTransportConformance } from "./transport/suite.js";
export { describeSqlConformance } from "./sql/suite.js";
