// Whatever a client sends, the model answers with a CinderFault (a 4xx/5xx body), never a
// TypeError that the API would have to turn into a 500.
import { describe, expect, it } from "vitest";
import type { CinderCloud } from "../../src/model/cloud.js";
import { CinderFault } from "../../src/model/errors.js";
import { ADMIN, MEMBER, makeLab } from "./lab.js";

const GARBAGE: unknown[] = [
  undefined,
  null,
  "",
  "x",
  -1,
  0,
  1.5,
  Number.NaN,
  {},
  [],
  { a: 1 },
  "0".repeat(300),
];

function onlyFaults(label: string, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err, `${label} threw ${String(err)}`).toBeInstanceOf(CinderFault);
  }
}

describe("garbage in, Cinder faults out", () => {
  it("never throws anything but a CinderFault", async () => {
    const lab = await makeLab();
    const a: CinderCloud = lab.a;
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    const b = a.createBackup(MEMBER, { volumeId: v.id });
    await lab.idle();
    // biome-ignore lint/suspicious/noExplicitAny: deliberately ill-typed input
    const g = (x: unknown) => x as any;
    for (const x of GARBAGE) {
      for (const ctx of [ADMIN, MEMBER]) {
        onlyFaults("createVolume", () => a.createVolume(ctx, { size: g(x), volumeType: g(x) }));
        onlyFaults("getVolume", () => a.getVolume(ctx, g(x)));
        onlyFaults("extendVolume", () => a.extendVolume(ctx, v.id, g(x)));
        onlyFaults("listVolumes", () => a.listVolumes(ctx, { marker: g(x), filters: { metadata: x } }));
        onlyFaults("resetVolumeStatus", () => a.resetVolumeStatus(ctx, v.id, { status: g(x) }));
        onlyFaults("createBackup", () => a.createBackup(ctx, { volumeId: g(x) }));
        onlyFaults("restoreBackup", () => a.restoreBackup(ctx, b.id, { volumeId: g(x) }));
        onlyFaults("resetBackupStatus", () => a.resetBackupStatus(ctx, b.id, g(x)));
        onlyFaults("importRecord", () => a.importRecord(ctx, g(x), g(x)));
        onlyFaults("importRecord url", () =>
          a.importRecord(ctx, "", Buffer.from(JSON.stringify({ id: x, size: x })).toString("base64")),
        );
        onlyFaults("acceptTransfer", () => a.acceptTransfer(ctx, g(x), g(x)));
        onlyFaults("deleteBackup", () => a.deleteBackup(ctx, g(x)));
      }
    }
    await lab.idle();
    // and the async halves never left an unexpected exception behind
    for (const err of a.stepErrors) expect(String(err)).not.toMatch(/TypeError|is not a function|undefined/);
  });
});
