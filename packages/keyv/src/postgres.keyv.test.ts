import { describeKeyvStore } from "./keyv-suite.fixture.js";

describeKeyvStore("postgres");
