// Faults injected from `fake-cinder lab --fault ...`, as the real `cinder` CLI sees
// them: a backup whose driver work fails (Cinder: status error, fail_reason, the
// volume back to available), and an import while no backup service is up (Cinder's
// API answers 503 ServiceNotFound naming the requested backup service).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeLab } from "../../src/harness/lab.js";
import { CinderCli, REQUEST_ID } from "./cinder-cli.js";

const failOnce = {
  operation: "backup.create",
  cluster: "a",
  count: 1,
  action: { kind: "fail", failReason: "An unknown exception occurred." },
};
const backupServiceDownInB = { operation: "backup.import", cluster: "b", action: { kind: "serviceDown" } };

describe("real cinder CLI against injected faults", () => {
  let lab: FakeLab;
  let a: CinderCli;
  let b: CinderCli;

  beforeAll(async () => {
    lab = await FakeLab.start({
      extraArgs: ["--fault", JSON.stringify(failOnce), "--fault", JSON.stringify(backupServiceDownInB)],
    });
    a = new CinderCli(lab.openrc("a", "admin"), "cluster A");
    b = new CinderCli(lab.openrc("b", "admin"), "cluster B");
  });
  afterAll(async () => {
    await lab?.close();
  });

  it("a failed backup shows error and its fail_reason; the next one works", {
    timeout: 120_000,
  }, async () => {
    const vid = (await a.props("create", "--name", "fault-src", "1")).id ?? "";
    await lab.waitStatus("a", "volume", vid, "available");
    const failed = (await a.props("backup-create", "--name", "doomed", vid)).id ?? "";
    await lab.waitStatus("a", "backup", failed, "error", { abortOn: ["available"] });
    expect(await a.props("backup-show", failed)).toMatchObject({
      status: "error",
      fail_reason: "An unknown exception occurred.",
      name: "doomed",
    });
    // the volume goes back to what it was before the backup
    await lab.waitStatus("a", "volume", vid, "available");

    const ok = (await a.props("backup-create", "--name", "second-try", vid)).id ?? "";
    await lab.waitStatus("a", "backup", ok, "available");
    const record = await a.props("backup-export", ok);

    const refused = await b.refused("backup-import", record.backup_service ?? "", record.backup_url ?? "");
    expect(refused.httpStatus).toBe(503);
    expect(refused.message).toBe(`Service ${record.backup_service} could not be found.`);
    expect(refused.requestId).toMatch(REQUEST_ID);
  });
});
