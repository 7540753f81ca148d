// @cinderlab/fake-rbd: an in-memory Ceph RBD whose streams real rbd agrees with.

// The contract every consumer codes against.
export type {
  CreateImageOptions,
  DiffExtent,
  DiffReadOptions,
  DiskUsage,
  ExportDiffOptions,
  ExportFormatOptions,
  ImageInfo,
  ImageRef,
  ImportDiffOptions,
  RbdBackend,
  SnapInfo,
  SnapRef,
} from "./backend.js";
// ---- CLI / HTTP server exports (RemoteRbd, buildApp, ...) go below this line. ----
// The CLI (in-process runner), the HTTP server and its client, and the demo.
// The rbd-compatible CLI, runnable in-process, and the demo.
export type { RunOptions } from "./cli/context.js";
export { runRbdCli } from "./cli/run.js";
export { type DemoResult, runDemo } from "./demo.js";
// The `rbd diff` v1/v2 stream codec.
export * as diffFormat from "./diff/format.js";
// `rbd export/import --export-format 2`.
export {
  exportImageV2Chunks,
  featureBits,
  featureNames,
  type ImageV2Header,
  ImageV2Parser,
  type ImageV2Record,
} from "./diff/image-v2.js";
export {
  concatBytes,
  DiffApplier,
  DiffParser,
  type DiffParserOptions,
  type DiffRecord,
  type DiffVersion,
  type ExportDiffSource,
  encodeBanner,
  encodeEnd,
  encodeFromSnap,
  encodeProtection,
  encodeSize,
  encodeToSnap,
  encodeUnknownV2,
  encodeWrite,
  encodeWriteHeader,
  encodeZero,
  exportDiffChunks,
  type ImportDiffResult,
  importDiffStream,
  parseDiffStream,
  readableFromChunks,
} from "./diff/index.js";
// The in-process backend.
export { LocalRbd } from "./local.js";
// The pure model and its errors.
export {
  Ceph,
  type CephOptions,
  Cluster,
  DEFAULT_FEATURES,
  diffPoints,
  ERRNO,
  type ErrnoCode,
  errors,
  Image,
  isRbdError,
  type NewImageOptions,
  type PointView,
  Pool,
  RbdError,
  type RbdErrorContext,
  type RbdErrorJson,
  type Snapshot,
  strerror,
} from "./model/index.js";
// The same contract over the real rbd/rados/ceph CLIs (a real Ceph cluster).
export {
  type CephClientIdentity,
  type RadosObjects,
  RbdCliBackend,
  type RbdCliBackendOptions,
} from "./rbd-cli.js";
export { RemoteRbd, type RemoteRbdOptions } from "./remote.js";
export {
  buildRbdServer,
  type RbdServerOptions,
  type RunningRbdServer,
  type StartRbdServerOptions,
  type StateSummary,
  startRbdServer,
  stateSummary,
} from "./server/index.js";
