// The lab's live view in a real headless chromium: the page loads from `fake-cinder lab`,
// and while this test drives Cinder's API it shows the backup moving from creating to
// available, the image and snapshot appearing in the backup pool, the record imported
// in B, and the timeline naming the cinder verb of each call, all without a reload.
// The lab runs on a manual clock, so every step waits on a DOM condition, never a sleep.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type HeadlessBrowser, launchChromium } from "../../src/browser/chromium.js";
import { type ClusterName, FakeLab, REPO_ROOT } from "../../src/harness/lab.js";

const OUTPUT = join(REPO_ROOT, "packages/e2e/output");
const readyView = z.object({ view: z.object({ url: z.url() }) });

describe("live view in headless chromium", () => {
  let lab: FakeLab;
  let browser: HeadlessBrowser;
  let viewUrl: string;

  beforeAll(async () => {
    lab = await FakeLab.start({ extraArgs: ["--clock", "manual"] });
    viewUrl = readyView.parse(JSON.parse(readFileSync(join(lab.workDir, "lab.json"), "utf8"))).view.url;
    browser = await launchChromium({ width: 1600, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await lab?.close();
  });

  /** Cinder's API over the cluster's noauth endpoint, as an admin */
  async function api(cluster: ClusterName, method: string, path: string, body?: unknown) {
    const c = lab.cluster(cluster);
    const base = path.startsWith("/_fake") ? c.cinderNoauth : `${c.cinderNoauth}/v3/${c.projectId}`;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { "x-auth-token": `trainer:${c.projectId}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} on ${cluster} → ${res.status} ${text}`);
    return text === "" ? {} : (JSON.parse(text) as Record<string, Record<string, string>>);
  }
  // one clock for the whole lab: advancing it through A runs B's steps too
  const advance = () => api("a", "POST", "/_fake/clock/advance", { ms: 60_000 });

  it("shows a backup going from creating to available without a reload", async () => {
    const { page } = browser;
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    await page.goto(`${viewUrl}/`);
    await page.locator("#conn.live").waitFor();
    await page.locator("#cluster-a h2", { hasText: "Cluster A (zed)" }).waitFor();
    await page.locator("#cluster-b h2", { hasText: "Cluster B (zed)" }).waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true;
    });

    const volumeId = (await api("a", "POST", "/volumes", { volume: { size: 1, name: "db-data" } })).volume
      ?.id;
    const volume = page.locator(`#cluster-a li[data-kind="volume"][data-id="${volumeId}"]`);
    await volume.and(page.locator('[data-status="creating"]')).waitFor();
    await advance();
    await volume.and(page.locator('[data-status="available"]')).waitFor();

    const backupId = (
      await api("a", "POST", "/backups", { backup: { volume_id: volumeId, name: "before-move" } })
    ).backup?.id;
    const backup = page.locator(`#cluster-a li[data-kind="backup"][data-id="${backupId}"]`);
    await backup.and(page.locator('[data-status="creating"]')).waitFor();
    await expect(backup.locator(".pill").textContent()).resolves.toBe("creating");
    await volume.and(page.locator('[data-status="backing-up"]')).waitFor();

    await advance();
    await backup.and(page.locator('[data-status="available"]')).waitFor();
    await expect(backup.locator(".pill").textContent()).resolves.toBe("available");
    await volume.and(page.locator('[data-status="available"]')).waitFor();

    // the backup pool, between the clusters: the image Cinder's ceph driver wrote and its snapshot
    const image = page.locator(
      `#pool li[data-kind="image"][data-id="volume-${volumeId}.backup.${backupId}"]`,
    );
    await image.waitFor();
    await expect(image.locator('[data-kind="snap"]').textContent()).resolves.toMatch(
      new RegExp(`^@backup\\.${backupId}\\.snap\\.`),
    );

    // the timeline: the call with its cinder verb, and both status changes caused by it
    const timeline = page.locator("#timeline");
    await timeline.locator('li[data-kind="api"]', { hasText: "POST /v3/<p>/backups → 202" }).waitFor();
    await expect(
      timeline.locator('li[data-kind="api"]', { hasText: "POST /v3/<p>/backups → 202" }).textContent(),
    ).resolves.toContain("cinder backup-create");
    const done = timeline.locator('li[data-kind="status"][data-status="available"]', {
      hasText: `backup ${backupId?.slice(0, 8)}`,
    });
    await expect(done.textContent()).resolves.toContain("← cinder backup-create");

    expect(navigations).toEqual([`${viewUrl}/`]);
    await expect(
      page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce),
    ).resolves.toBe(true);
  });

  it("follows the record into cluster B and keeps a screenshot", async () => {
    const { page } = browser;
    const [backup] = (await api("a", "GET", "/backups")).backups as unknown as Array<{ id: string }>;
    const record = (await api("a", "GET", `/backups/${backup?.id}/export_record`))["backup-record"];
    const imported = (await api("b", "POST", "/backups/import_record", { "backup-record": record })).backup
      ?.id;
    const inB = page.locator(`#cluster-b li[data-kind="backup"][data-id="${imported}"]`);
    await inB.waitFor();
    await advance();
    await inB.and(page.locator('[data-status="available"]')).waitFor();
    await page
      .locator('#timeline li[data-kind="api"]', { hasText: "cinder backup-import" })
      .and(page.locator(".cl.b").locator(".."))
      .waitFor();
    await page.locator('#timeline li[data-kind="api"]', { hasText: "cinder backup-export" }).waitFor();

    // importing the same record again is refused; the page says why, next to the call
    const again = await fetch(
      `${lab.cluster("b").cinderNoauth}/v3/${lab.cluster("b").projectId}/backups/import_record`,
      {
        method: "POST",
        headers: {
          "x-auth-token": `trainer:${lab.cluster("b").projectId}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({ "backup-record": record }),
      },
    );
    const refusal = (await again.json()) as Record<string, { message: string }>;
    const message = Object.values(refusal)[0]?.message ?? "";
    expect(again.status).toBeGreaterThanOrEqual(400);
    const refused = page.locator('#timeline li[data-kind="api"]', { hasText: `→ ${again.status}` });
    await expect(refused.locator(".reason").textContent()).resolves.toBe(message);
    expect(message).not.toBe("");

    mkdirSync(OUTPUT, { recursive: true });
    const file = join(OUTPUT, "view.png");
    await page.screenshot({ path: file });
    expect(readFileSync(file).subarray(1, 4).toString()).toBe("PNG");
  });
});
