// An operator exercise as a trainee meets it: `fake-cinder lab --exercise target-too-small`
// as a process, the real `cinder` CLI showing the planted refusal, and `fake-cinder lab
// --check` telling the wrong recovery (a second volume, the small one left behind) from the
// right one (extend the small one and restore into it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CINDER_BIN, runCli, runOk } from "../../src/harness/clients.js";
import { FAKE_CINDER_BIN, FakeLab } from "../../src/harness/lab.js";
import { parseListTable } from "../../src/harness/tables.js";

describe("exercise target-too-small with the real cinder CLI", () => {
  let lab: FakeLab;
  let b: Record<string, string>;
  const check = () =>
    runCli(
      process.execPath,
      [
        FAKE_CINDER_BIN,
        "lab",
        "--check",
        "--exercise",
        "target-too-small",
        "--ready-file",
        `${lab.workDir}/lab.json`,
      ],
      {},
    );

  beforeAll(async () => {
    lab = await FakeLab.start({ extraArgs: ["--exercise", "target-too-small"] });
    b = lab.openrc("b", "admin");
  });
  afterAll(async () => {
    await lab?.close();
  });

  it("refuses the restore as the briefing says, then --check tells wrong from right", {
    timeout: 120_000,
  }, async () => {
    const volumes = parseListTable((await runOk(CINDER_BIN, ["list"], b)).stdout);
    const target = volumes.find((v) => v.Name === "pg-data-restored");
    const backup = parseListTable((await runOk(CINDER_BIN, ["backup-list"], b)).stdout)[0];
    if (!target?.ID || !backup?.ID) throw new Error("the exercise planted no target volume or backup in B");

    const refused = await runCli(CINDER_BIN, ["backup-restore", "--volume", target.ID, backup.ID], b);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "Invalid volume: volume size 1 is too small to restore backup of size 2.",
    );

    // wrong: restore into a new volume (cinder makes one of the backup's size) and leave the small one
    await runOk(CINDER_BIN, ["backup-restore", backup.ID], b);
    await lab.waitStatus("b", "backup", backup.ID, "available");
    const wrong = await check();
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(
      `  - volume ${target.ID} (pg-data-restored) in B does not hold the data of pg-data: restore into it or delete it`,
    );

    // right: the small volume grows to the backup's size and takes the restore too
    await runOk(CINDER_BIN, ["extend", target.ID, "2"], b);
    await lab.waitStatus("b", "volume", target.ID, "available");
    await runOk(CINDER_BIN, ["backup-restore", "--volume", target.ID, backup.ID], b);
    await lab.waitStatus("b", "volume", target.ID, "available", { abortOn: ["error_restoring"] });
    await lab.waitStatus("b", "backup", backup.ID, "available");
    const right = await check();
    expect(right.stdout).toContain("exercise target-too-small: PASS");
    expect(right.code).toBe(0);
  });
});
