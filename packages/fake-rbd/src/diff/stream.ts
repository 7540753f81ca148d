// The thin Node stream adapters around the pure codec: chunks in, records out.
import { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Image } from "../model/image.js";
import type { DiffRecord } from "./format.js";
import { DiffApplier, type ImportDiffOptions, type ImportDiffResult } from "./import.js";
import { DiffParser, type DiffParserOptions } from "./parser.js";

/** A byte stream over lazily produced chunks; nothing is generated before it is read. */
export function readableFromChunks(chunks: Iterable<Uint8Array>): Readable {
  return Readable.from(chunks, { objectMode: false });
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
  if (source instanceof Readable) {
    await consumeChunks(source, (chunk) => parser.push(asBytes(chunk), (r) => onRecord(r, parser.position)));
  } else {
    for await (const chunk of source) parser.push(asBytes(chunk), (r) => onRecord(r, parser.position));
  }
  parser.end();
  return parser;
}

/**
 * Hands each chunk of a byte stream to `take` as it was pushed, in flowing mode. Not an
 * async iterator: that reads a paused byte stream with read(), which concatenates every
 * buffered chunk into a fresh buffer: a copy of each byte, the largest cost of an upload.
 * `take` runs synchronously, so nothing piles up. If it throws, the stream is destroyed
 * (the producer sees the consumer go, as after a `for await` that throws) and the error
 * is the result.
 */
export async function consumeChunks(source: Readable, take: (chunk: unknown) => void): Promise<void> {
  let failure: { error: unknown } | undefined;
  const onData = (chunk: unknown) => {
    try {
      take(chunk);
    } catch (error) {
      failure = { error };
      source.off("data", onData);
      source.destroy();
    }
  };
  source.on("data", onData);
  try {
    await finished(source, { writable: false });
  } catch (error) {
    if (!failure) throw error;
  }
  if (failure) throw failure.error;
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
