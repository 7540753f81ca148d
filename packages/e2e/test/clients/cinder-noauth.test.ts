// Cinder's own `noauth` mode, which standalone Cinder deployments use: no Keystone,
// the token is `<user>:<project>`, and python-cinderclient's noauth plugin is chosen
// from OS_AUTH_TYPE=noauth in the environment (spec §5.3; the real-Cinder recipe's cin.sh).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeLab } from "../../src/harness/lab.js";
import { CinderCli, UUID } from "./cinder-cli.js";

describe("real cinder CLI in noauth mode", () => {
  let lab: FakeLab;

  beforeAll(async () => {
    lab = await FakeLab.start();
  });
  afterAll(async () => {
    await lab?.close();
  });

  it("the noauth openrc selects cinderclient's noauth plugin", () => {
    const env = lab.openrc("a", "noauth");
    expect(env.OS_AUTH_TYPE).toBe("noauth");
    expect(env.OS_USER_ID).toBeTruthy();
    expect(env.OS_PROJECT_ID).toBeTruthy();
    expect(env.CINDER_ENDPOINT).toMatch(new RegExp(`/v3/${env.OS_PROJECT_ID}$`));
    expect(env.OS_AUTH_URL).toBeUndefined();
  });

  it("creates, backs up and exports as the (admin) noauth context", { timeout: 120_000 }, async () => {
    const cinder = new CinderCli(lab.openrc("a", "noauth"), "cluster A (noauth)");
    const vid = (await cinder.props("create", "--name", "noauth-vol", "1")).id ?? "";
    expect(vid).toMatch(UUID);
    await lab.waitStatus("a", "volume", vid, "available");
    const listed = await cinder.list("list");
    expect(listed.find((row) => row.ID === vid)).toMatchObject({
      Name: "noauth-vol",
      Status: "available",
      Size: "1",
    });
    const bid = (await cinder.props("backup-create", vid)).id ?? "";
    await lab.waitStatus("a", "backup", bid, "available");
    // noauth contexts are admin in Cinder, so the admin-only export is allowed
    const record = await cinder.props("backup-export", bid);
    expect(record.backup_service).toBe("cinder.backup.drivers.ceph.CephBackupDriver");
  });

  it("without the project id in the URL (CINDER_ENDPOINT=.../v3) the same calls work", {
    timeout: 120_000,
  }, async () => {
    const env = lab.openrc("a", "noauth");
    const bare = { ...env, CINDER_ENDPOINT: (env.CINDER_ENDPOINT ?? "").replace(/\/v3\/[^/]+$/, "/v3") };
    const cinder = new CinderCli(bare, "cluster A (noauth, no project in URL)");
    const vid = (await cinder.props("create", "--name", "bare-url-vol", "1")).id ?? "";
    const shown = await lab.waitStatus("a", "volume", vid, "available");
    expect(shown.name).toBe("bare-url-vol");
  });
});
