export { freshName, sleep, waitFor } from "./names.js";
export type { ConformanceOptions } from "./options.js";
export { describeQueueConformance } from "./queue/suite.js";
