// In-process figures: export-diff / import-diff throughput over LocalRbd, and the
// memory a 1 TiB sparse image costs.
import { randomFillSync } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ImageRef } from "../backend.js";
import { LocalRbd } from "../local.js";
import { type BenchRow, type BenchSuite, collectGarbage, GiB, MiB, TiB, throughput } from "./harness.js";

/** Target from the issue: at least 1 GiB/s in-process. */
const IN_PROCESS_TARGET = 1024;

function countingSink(): { sink: Writable; bytes: () => number } {
  let n = 0;
  const sink = new Writable({
    highWaterMark: 4 * MiB,
    write(chunk: Uint8Array, _enc, done) {
      n += chunk.byteLength;
      done();
    },
    writev(chunks, done) {
      for (const c of chunks) n += (c.chunk as Uint8Array).byteLength;
      done();
    },
  });
  return { sink, bytes: () => n };
}

/** Writes `total` bytes of incompressible, non-zero data in object-sized writes. */
async function fill(rbd: LocalRbd, ref: ImageRef, total: number, stride = 4 * MiB): Promise<void> {
  const block = new Uint8Array(4 * MiB);
  for (let at = 0, i = 0; at < total; at += 4 * MiB, i++) {
    randomFillSync(block, 0, 4096); // vary each object a little; the rest repeats
    block[0] = 1;
    await rbd.writeImage(ref, i * stride, block);
  }
}

export const memorySuite: BenchSuite = async (report) => {
  const written = 64 * MiB;
  collectGarbage();
  const before = process.memoryUsage();
  const rbd = new LocalRbd();
  await rbd.createPool("rbd");
  const ref = { pool: "rbd", image: "sparse-1tib" };
  await rbd.createImage(ref, { size: TiB });
  // 16 objects spread over the whole terabyte
  await fill(rbd, ref, written, TiB / 16);
  await rbd.createSnap(ref, "s1");
  collectGarbage();
  const after = process.memoryUsage();
  const rss = after.rss - before.rss;
  const heap = after.heapUsed + after.external - (before.heapUsed + before.external);
  const stored = rbd.ceph.storedBytes();
  const pct = (bytes: number) => ((bytes - written) / written) * 100;
  const detail = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB for 64 MiB written to a 1 TiB image`;
  report({
    name: "1 TiB sparse: RSS over baseline",
    value: rss / MiB,
    unit: "MiB",
    target: 200,
    higherIsBetter: false,
    detail: detail(rss),
  });
  report({
    name: "  RSS overhead vs bytes written",
    value: pct(rss),
    unit: "%",
    target: 10,
    higherIsBetter: false,
    detail: "RSS delta / 64 MiB - 1",
  });
  report({
    name: "  heap+external over baseline",
    value: pct(heap),
    unit: "%",
    target: 10,
    higherIsBetter: false,
    detail: detail(heap),
  });
  report({
    name: "  model stored bytes",
    value: pct(stored),
    unit: "%",
    target: 10,
    higherIsBetter: false,
    detail: detail(stored),
  });
  // keep the model alive until measured
  if ((await rbd.listImages("rbd")).length !== 1) throw new Error("image vanished");
};

export const throughputSuite: BenchSuite = async (report) => {
  const written = GiB;
  const rbd = new LocalRbd();
  await rbd.createPool("volumes");
  await rbd.createPool("backups", "backup");
  const source = { pool: "volumes", image: "volume-1" };
  await rbd.createImage(source, { size: 2 * GiB });
  let t = performance.now();
  await fill(rbd, source, written);
  report(throughput("write (model, 4 MiB writes)", written, performance.now() - t));
  await rbd.createSnap(source, "s1");

  // export-diff alone, drained into a counting sink
  let { sink, bytes } = countingSink();
  t = performance.now();
  await pipeline(await rbd.exportDiff({ ...source, snap: "s1" }), sink);
  const streamBytes = bytes();
  report(throughput("export-diff (in-process)", streamBytes, performance.now() - t, IN_PROCESS_TARGET));

  // import-diff alone, from chunks collected beforehand (views of the source's buffers)
  const chunks: Uint8Array[] = [];
  for await (const c of await rbd.exportDiff({ ...source, snap: "s1" })) chunks.push(c as Uint8Array);
  const target1 = { cluster: "backup", pool: "backups", image: "volume-1.backup.a" };
  await rbd.createImage(target1, { size: 0 });
  t = performance.now();
  await rbd.importDiff(target1, Readable.from(chunks, { objectMode: false }));
  report(throughput("import-diff (in-process)", streamBytes, performance.now() - t, IN_PROCESS_TARGET));
  chunks.length = 0;

  // import-diff from 64 KiB chunks that are copies (what a pipe or a socket delivers):
  // the chunk edges split sparse blocks, which are then assembled
  const piped: Buffer[] = [];
  for await (const c of await rbd.exportDiff({ ...source, snap: "s1" })) {
    const bytes = c as Uint8Array;
    for (let at = 0; at < bytes.byteLength; at += 64 * 1024)
      piped.push(Buffer.from(bytes.subarray(at, at + 64 * 1024)));
  }
  const target3 = { cluster: "backup", pool: "backups", image: "volume-1.backup.c" };
  await rbd.createImage(target3, { size: 0 });
  t = performance.now();
  await rbd.importDiff(target3, Readable.from(piped, { objectMode: false }));
  report(
    throughput("import-diff (64 KiB copied chunks)", streamBytes, performance.now() - t, IN_PROCESS_TARGET),
  );
  piped.length = 0;

  // export-diff | import-diff, as Cinder's backup driver pipes them
  const target2 = { cluster: "backup", pool: "backups", image: "volume-1.backup.b" };
  await rbd.createImage(target2, { size: 0 });
  t = performance.now();
  await rbd.importDiff(target2, await rbd.exportDiff({ ...source, snap: "s1" }));
  report(
    throughput(
      "export-diff | import-diff (in-process)",
      streamBytes,
      performance.now() - t,
      IN_PROCESS_TARGET,
    ),
  );

  ({ sink, bytes } = countingSink());
  t = performance.now();
  await pipeline(await rbd.exportImage({ ...target2, snap: "s1" }), sink);
  report(throughput("export (raw, 1 GiB data of a 2 GiB image)", bytes(), performance.now() - t));
};

export type { BenchRow };
