// Shared by the model, diff and local tests. Vitest's deep equality walks typed arrays
// element by element (minutes for a few MiB), so bytes are compared natively here.
import { expect } from "vitest";
import { RbdError } from "../src/model/errors.js";

export const MiB = 1024 * 1024;

export const bytes = (length: number, value: number) => new Uint8Array(length).fill(value);

/** Deterministic non-zero-ish data: every byte depends on its position and a seed. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Asserts equal bytes, naming the first differing offset when they are not. */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = "bytes"): void {
  const a = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  if (a.equals(b)) return;
  let i = 0;
  while (i < Math.min(a.length, b.length) && a[i] === b[i]) i++;
  expect.fail(`${what} differ: lengths ${a.length}/${b.length}, first difference at offset ${i}`);
}

export function caught(fn: () => unknown): RbdError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RbdError) return e;
    throw e;
  }
  throw new Error("expected an RbdError");
}

export async function rejected(promise: Promise<unknown>): Promise<RbdError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof RbdError) return e;
    throw e;
  }
  throw new Error("expected an RbdError");
}

export async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
