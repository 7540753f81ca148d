export { type ExportDiffSource, exportDiffChunks } from "./export.js";
export * from "./format.js";
export { DiffApplier, type ImportDiffOptions, type ImportDiffResult } from "./import.js";
export { DiffParser, type DiffParserOptions } from "./parser.js";
export {
  concatBytes,
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
  getLe64,
  putLe64,
} from "./records.js";
export { importDiffStream, parseDiffStream, readableFromChunks } from "./stream.js";
