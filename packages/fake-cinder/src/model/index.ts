export * from "../clock/index.js";
export * from "../faults/index.js";
export * from "./cloud.js";
export * from "./errors.js";
export * from "./types.js";
