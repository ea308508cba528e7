import { describeOtel } from "./otel-suite.fixture.js";

describeOtel("postgres");
