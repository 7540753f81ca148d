// The thin Node stream adapters around the pure codec: chunks in, records out.
import { Readable } from "node:stream";
import type { Image } from "../model/image.js";
import type { DiffRecord } from "./format.js";
import { DiffApplier, type ImportDiffOptions, type ImportDiffResult } from "./import.js";
import { DiffParser, type DiffParserOptions } from "./parser.js";

/** A byte stream over lazily produced chunks; nothing is generated before it is read. */
export function readableFromChunks(chunks: Iterable<Uint8Array>): Readable {
  // read ahead a few MiB: the consumer (a socket) should never wait for the next piece
  return Readable.from(chunks, { objectMode: false, highWaterMark: 8 * 1024 * 1024 });
}

function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "latin1");
  throw new TypeError(`diff stream yielded a ${typeof chunk}, expected bytes`);
}

/**
 * Feeds a byte stream through the parser. Fails with a coded `truncated-stream`
 * RbdError (EBADMSG) when the input ends before the 'e' record.
 */
export async function parseDiffStream(
  source: AsyncIterable<unknown>,
  onRecord: (record: DiffRecord, streamOffset: number) => void,
  options: DiffParserOptions = {},
): Promise<DiffParser> {
  const parser = new DiffParser(options);
  for await (const chunk of source) parser.push(asBytes(chunk), (r) => onRecord(r, parser.position));
  parser.end();
  return parser;
}

/** `rbd import-diff` from a stream, all-or-nothing. */
export async function importDiffStream(
  image: Image,
  source: AsyncIterable<unknown>,
  options: ImportDiffOptions & DiffParserOptions = {},
): Promise<ImportDiffResult> {
  const applier = new DiffApplier(image, options);
  await parseDiffStream(source, (record, at) => applier.apply(record, at), options);
  return applier.finish();
}
