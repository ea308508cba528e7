// Reference models and arbitraries, for harnesses (fuzzers) that drive backends outside the suites.
export { CacheModel, type CacheOp, globMatches, type Outcome } from "./cache/model.js";
export { describeCacheConformance } from "./cache/suite.js";
export { type ChildOpener, describeKeepAliveConformance, type KeepAliveOptions } from "./keep-alive/suite.js";
export { freshName, sleep, waitFor } from "./names.js";
export type { ConformanceOptions } from "./options.js";
export { QueueModel } from "./queue/model.js";
export { describeQueueConformance } from "./queue/suite.js";
export { datasetArb, filterArb, queryArb, recordFrom } from "./records/arbitraries.js";
export { RecordModel } from "./records/model.js";
export { describeRecordStoreConformance } from "./records/suite.js";
export { describeSqlConformance } from "./sql/suite.js";
export { describePublisherConformance } from "./transport/publisher.js";
export { describeTransportConformance } from "./transport/suite.js";
