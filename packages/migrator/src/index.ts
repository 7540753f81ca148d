// The library face of the migrator: the engine and its ports, for embedding and tests.

export { RbdCluster, type RbdClusterConfig } from "./ceph/rbd.js";
export { buildProgram } from "./cli.js";
export { fold, MemoryJournal, type RunOptions, type RunState } from "./engine/journal.js";
export { FileJournal, readJournal } from "./engine/journal-file.js";
export type { BlockStorage, CephAccess, CephCluster, Clock } from "./engine/ports.js";
export { type EngineDeps, type EngineEvent, Migration, SimulatedCrash } from "./engine/runner.js";
export { CinderClient } from "./openstack/cinder.js";
export { type CloudConfig, cloudFromEnv, cloudFromOpenrc, loadCloud } from "./openstack/config.js";
export { connectCinder } from "./openstack/connect.js";
export { renderMarkdown } from "./report/markdown.js";
export { buildReport, type MigrationReport } from "./report/report.js";
