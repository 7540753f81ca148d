// The refusals an operator meets during the procedure, through the real `cinder` CLI:
// each must come back with Cinder 21's HTTP code and message, printed the way
// cinderclient prints them (`ERROR: <message> (HTTP <code>) (Request-ID: req-...)`).
// Expected texts: cinder/backup/api.py and cinder/policies/backups.py at Zed, and the
// transcripts of a real Cinder 21.3.1 (real-cinder-facts.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeLab } from "../../src/harness/lab.js";
import { CinderCli, REQUEST_ID, UUID } from "./cinder-cli.js";

describe("real cinder CLI: what Cinder refuses, with its codes and messages", () => {
  let lab: FakeLab;
  let a: CinderCli;
  let b: CinderCli;
  // a 2 GB volume in A with an available backup, and its export record
  let vid: string;
  let bid: string;
  let record: { service: string; url: string };

  beforeAll(async () => {
    lab = await FakeLab.start();
    a = new CinderCli(lab.openrc("a", "admin"), "cluster A");
    b = new CinderCli(lab.openrc("b", "admin"), "cluster B");
    vid = (await a.props("create", "--name", "src-2g", "2")).id ?? "";
    await lab.waitStatus("a", "volume", vid, "available");
    bid = (await a.props("backup-create", "--name", "bk-src-2g", vid)).id ?? "";
    await lab.waitStatus("a", "backup", bid, "available");
    const exported = await a.props("backup-export", bid);
    record = { service: exported.backup_service ?? "", url: exported.backup_url ?? "" };
  }, 150_000);
  afterAll(async () => {
    await lab?.close();
  });

  it("a wrong password is refused by the fake Keystone as Keystone refuses it", async () => {
    const wrong = { ...lab.openrc("a", "admin"), OS_PASSWORD: "not-the-password" };
    const refused = await new CinderCli(wrong, "cluster A (wrong password)").refused("list");
    expect(refused.httpStatus).toBe(401);
    expect(refused.message).toBe("The request you have made requires authentication.");
    expect(refused.requestId).toMatch(REQUEST_ID);
  });

  it("refuses to back up an in-use volume without --force, and accepts it with --force", {
    timeout: 120_000,
  }, async () => {
    const v = (await a.props("create", "--name", "attached", "1")).id ?? "";
    await lab.waitStatus("a", "volume", v, "available");
    const server = "6d1e6a4e-5b8f-4c8e-9a7e-1f0c2b3a4d5e";
    const attachment = await a.props("attachment-create", "--connect", "True", "--mode", "rw", v, server);
    expect(attachment.id).toMatch(UUID);
    await a.ok("attachment-complete", attachment.id ?? "");
    expect((await a.props("show", v)).status).toBe("in-use");

    const refused = await a.refused("backup-create", v);
    expect(refused.httpStatus).toBe(400);
    expect(refused.message).toBe("Invalid volume: Backing up an in-use volume must use the force flag.");
    expect(refused.requestId).toMatch(REQUEST_ID);

    const forced = await a.props("backup-create", "--force", v);
    await lab.waitStatus("a", "backup", forced.id ?? "", "available");
    // a forced backup returns the volume to its previous status, in-use
    expect((await a.props("show", v)).status).toBe("in-use");
  });

  it("refuses to back up a volume in error", async () => {
    const v = (await a.props("create", "--name", "broken", "1")).id ?? "";
    await lab.waitStatus("a", "volume", v, "available");
    await a.ok("reset-state", "--state", "error", v);
    const refused = await a.refused("backup-create", v);
    expect(refused.httpStatus).toBe(400);
    expect(refused.message).toBe(
      'Invalid volume: Volume to be backed up must be available or in-use, but the current status is "error".',
    );
  });

  it("refuses to import a record that is already imported", { timeout: 120_000 }, async () => {
    const first = await b.props("backup-import", record.service, record.url);
    expect(first.id).toBe(bid);
    await lab.waitStatus("b", "backup", bid, "available");
    const again = await b.refused("backup-import", record.service, record.url);
    expect(again.httpStatus).toBe(400);
    expect(again.message).toBe("Invalid backup: Backup already exists in database.");
    expect(again.requestId).toMatch(REQUEST_ID);
  });

  it("refuses to restore a 2 GB backup into a 1 GB volume", { timeout: 120_000 }, async () => {
    // the record is imported by the previous test when it ran; import it if not
    const shown = await b.run("backup-show", bid);
    if (shown.code !== 0) {
      await b.ok("backup-import", record.service, record.url);
      await lab.waitStatus("b", "backup", bid, "available");
    }
    const small = (await b.props("create", "--name", "small-target-1g", "1")).id ?? "";
    await lab.waitStatus("b", "volume", small, "available");
    const refused = await b.refused("backup-restore", "--volume", small, bid);
    expect(refused.httpStatus).toBe(400);
    expect(refused.message).toBe("Invalid volume: volume size 1 is too small to restore backup of size 2.");
    // nothing changed: both stay available
    expect((await b.props("show", small)).status).toBe("available");
    expect((await b.props("backup-show", bid)).status).toBe("available");
  });

  it("deleting the imported copy in B deletes the shared base: A's backup then fails to restore", {
    timeout: 120_000,
  }, async () => {
    // real Cinder 21 (real-cinder-facts.md): both clusters' rows name the same base image
    const shown = await b.run("backup-show", bid);
    if (shown.code !== 0) await b.ok("backup-import", record.service, record.url);
    await lab.waitStatus("b", "backup", bid, "available");
    const deleted = await b.ok("backup-delete", bid);
    expect(deleted.stdout).toContain(`Request to delete backup ${bid} has been accepted.`);
    await lab.waitGone("b", "backup", bid);
    const rbd = await lab.rbd();
    const images = await rbd.listImages(lab.description.backupPool, lab.description.backupCluster);
    expect(images).not.toContain(`volume-${vid}.backup.${bid}`);

    // A still lists its backup as available, and accepts a restore that then fails
    expect((await a.props("backup-show", bid)).status).toBe("available");
    const target = (await a.props("create", "--name", "after-b-deleted", "2")).id ?? "";
    await lab.waitStatus("a", "volume", target, "available");
    await a.ok("backup-restore", "--volume", target, bid);
    await lab.waitStatus("a", "volume", target, "error_restoring", { abortOn: [], timeoutMs: 15_000 });
    expect((await a.props("backup-show", bid)).status).toBe("available");
  });

  it("refuses to export a backup that is not available", { timeout: 120_000 }, async () => {
    const v = (await a.props("create", "--name", "export-me", "1")).id ?? "";
    await lab.waitStatus("a", "volume", v, "available");
    const bk = (await a.props("backup-create", v)).id ?? "";
    await lab.waitStatus("a", "backup", bk, "available");
    await a.ok("backup-reset-state", "--state", "error", bk);
    await lab.waitStatus("a", "backup", bk, "error", { abortOn: [] });
    const refused = await a.refused("backup-export", bk);
    expect(refused.httpStatus).toBe(400);
    expect(refused.message).toBe("Invalid backup: Backup status must be available and not error.");
  });

  it("refuses export to a member (non-admin) of the backup's project", { timeout: 120_000 }, async () => {
    // the lab's member shares the admin's project, so the backup is visible to it and
    // the answer is the policy's (a backup of another project would be a 404 first)
    const member = new CinderCli(lab.openrc("a", "member"), "cluster A (member)");
    expect((await lab.waitStatus("a", "backup", bid, "available")).id).toBe(bid);
    const refused = await member.refused("backup-export", bid);
    expect(refused.httpStatus).toBe(403);
    expect(refused.message).toBe("Policy doesn't allow backup:export-import to be performed.");
    const importRefused = await member.refused("backup-import", record.service, record.url);
    expect(importRefused.httpStatus).toBe(403);
    expect(importRefused.message).toBe("Policy doesn't allow backup:backup-import to be performed.");
  });
});
