export { buildRbdServer, type RbdServerOptions } from "./app.js";
export { type RunningRbdServer, type StartRbdServerOptions, startRbdServer } from "./start.js";
export { type StateSummary, stateSummary } from "./state.js";
