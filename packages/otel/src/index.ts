export { InstrumentedCache } from "./cache.js";
export { type InstrumentOptions, instrument } from "./instrument.js";
export { InstrumentedQueue } from "./queue.js";
export { ENVELOPE_MARK, type TracedValue, unwrapEntry, wrapValue } from "./queue-envelope.js";
export { InstrumentedRecordStore } from "./records.js";
export { ATTR, METRIC, systemName } from "./semconv.js";
export { InstrumentedSql, InstrumentedSqlExecutor, InstrumentedSqlTransaction } from "./sql.js";
export {
  errorType,
  METER_RECHECK,
  type MetricKind,
  type OperationSpec,
  Telemetry,
  type TelemetryOptions,
} from "./telemetry.js";
export { fromCarrier, type TraceCarrier, toCarrier } from "./trace-context.js";
export { InstrumentedTransport } from "./transport.js";
