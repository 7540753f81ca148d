// The default list order (created_at desc, id desc) is served from rows kept in order, and
// quota usage from counters: both must agree with a from-scratch computation after any mix
// of creates, deletes and changes.
import { beforeEach, describe, expect, it } from "vitest";
import type { CinderCloud } from "../../src/model/cloud.js";
import type { ListOptions, Volume } from "../../src/model/types.js";
import { fault } from "./fault.js";
import { ADMIN, type Lab, MEMBER, makeLab, OTHER } from "./lab.js";

/** ids in no particular order, so the id tie-break among equal created_at is exercised */
function scrambledIds(): () => string {
  let x = 12345;
  return () => {
    x = (x * 1103515245 + 12345) >>> 0;
    const hex = x.toString(16).padStart(8, "0");
    return `${hex}-0000-4000-8000-${(x % 999983).toString(16).padStart(12, "0")}`;
  };
}

/** the oracle: sort every visible row, then marker, offset, limit */
function expectedPage(rows: Volume[], opts: ListOptions): string[] {
  let out = [...rows].sort(
    (x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0),
  );
  if (opts.marker !== undefined) out = out.slice(out.findIndex((v) => v.id === opts.marker) + 1);
  if (opts.offset) out = out.slice(opts.offset);
  if (opts.limit !== undefined) out = out.slice(0, opts.limit);
  return out.map((v) => v.id);
}

const unlimited = { volumes: -1, gigabytes: -1, snapshots: -1, backups: -1, backupGigabytes: -1 };

describe("default list order and quota counters", () => {
  let lab: Lab;
  let a: CinderCloud;
  beforeEach(async () => {
    lab = await makeLab({ a: { ids: scrambledIds(), quotas: unlimited } });
    a = lab.a;
  });

  it("pages volumes in created_at desc, id desc order with markers, offsets and limits", async () => {
    const start = lab.clock.now().getTime();
    for (let i = 0; i < 30; i++) {
      // three volumes share each timestamp; one batch lands in the past (clock set back)
      lab.clock.set(i === 21 ? start - 5000 : start + Math.floor(i / 3) * 1000);
      a.createVolume(i % 4 === 0 ? OTHER : MEMBER, { size: 1, name: `v${i}` });
    }
    await lab.idle();
    for (const v of a.listVolumes(MEMBER).filter((_, i) => i % 5 === 2)) a.deleteVolume(MEMBER, v.id);
    await lab.idle();
    a.createVolume(MEMBER, { size: 1, name: "late" });
    await lab.idle();

    const all = a.listVolumes(ADMIN, { allTenants: true, limit: 1000 });
    const mine = all.filter((v) => v.projectId === MEMBER.projectId);
    expect(all.length).toBe(31 - 4);
    const cases: ListOptions[] = [
      {},
      { limit: 4 },
      { limit: 0 },
      { offset: 3, limit: 5 },
      { marker: mine[6]?.id, limit: 3 },
      { marker: mine[mine.length - 1]?.id },
      { marker: mine[2]?.id, offset: 2 },
    ];
    for (const opts of cases) {
      expect(a.listVolumes(MEMBER, opts).map((v) => v.id)).toEqual(expectedPage(mine, opts));
      const sorted: ListOptions = {
        ...opts,
        sort: [
          { key: "created_at", dir: "desc" },
          { key: "id", dir: "desc" },
        ],
      };
      expect(a.listVolumes(MEMBER, sorted).map((v) => v.id)).toEqual(expectedPage(mine, opts));
    }
    expect(a.listVolumes(ADMIN, { allTenants: true, limit: 7, offset: 2 }).map((v) => v.id)).toEqual(
      expectedPage(all, { limit: 7, offset: 2 }),
    );
    // a marker the caller cannot see is not found, as in Cinder
    const othersVolume = all.find((v) => v.projectId === OTHER.projectId);
    expect(fault(() => a.listVolumes(MEMBER, { marker: othersVolume?.id, limit: 0 })).status).toBe(404);
    expect(a.countVolumes(MEMBER)).toBe(mine.length);
  });

  it("pages backups newest first, skipping deleted ones", async () => {
    const v = a.createVolume(MEMBER, { size: 1 });
    await lab.idle();
    const made: string[] = [];
    for (let i = 0; i < 6; i++) {
      made.push(a.createBackup(MEMBER, { volumeId: v.id, name: `b${i}` }).id);
      await lab.idle();
    }
    a.deleteBackup(MEMBER, made[4] as string);
    await lab.idle();
    const listed = a.listBackups(MEMBER).map((b) => b.name);
    expect(listed).toEqual(["b5", "b3", "b2", "b1", "b0"]);
    expect(a.listBackups(MEMBER, { marker: made[3], limit: 2 }).map((b) => b.name)).toEqual(["b2", "b1"]);
    expect(a.countBackups(MEMBER)).toBe(5);
  });

  it("keeps quota usage equal to the live rows through create, extend, snapshot, transfer and delete", async () => {
    const usage = (ctx = MEMBER) => a.quotaUsage(ctx).usage;
    const v1 = a.createVolume(MEMBER, { size: 2 });
    const v2 = a.createVolume(MEMBER, { size: 3 });
    await lab.idle();
    expect(usage()).toMatchObject({ volumes: 2, gigabytes: 5 });
    a.extendVolume(MEMBER, v1.id, 4);
    await lab.idle();
    expect(usage()).toMatchObject({ volumes: 2, gigabytes: 7 });
    const snap = a.createSnapshot(MEMBER, { volumeId: v2.id });
    await lab.idle();
    expect(usage()).toMatchObject({ snapshots: 1, gigabytes: 10 });
    a.deleteSnapshot(MEMBER, snap.id);
    await lab.idle();
    expect(usage()).toMatchObject({ snapshots: 0, gigabytes: 7 });
    const backup = a.createBackup(MEMBER, { volumeId: v1.id });
    await lab.idle();
    expect(usage()).toMatchObject({ backups: 1, backupGigabytes: 4 });
    const { transfer, authKey } = a.createTransfer(MEMBER, v2.id, "move");
    a.acceptTransfer(OTHER, transfer.id, authKey);
    expect(usage()).toMatchObject({ volumes: 1, gigabytes: 4 });
    expect(usage(OTHER)).toMatchObject({ volumes: 1, gigabytes: 3 });
    a.deleteBackup(MEMBER, backup.id);
    a.deleteVolume(OTHER, v2.id);
    await lab.idle();
    expect(usage()).toMatchObject({ volumes: 1, gigabytes: 4, backups: 0, backupGigabytes: 0 });
    expect(usage(OTHER)).toMatchObject({ volumes: 0, gigabytes: 0 });
    a.reset();
    expect(usage()).toMatchObject({ volumes: 0, gigabytes: 0, snapshots: 0, backups: 0 });
  });

  it("refuses the volume past the quota and admits one again after a delete", async () => {
    a.setQuotas(ADMIN, MEMBER.projectId, { volumes: 300, gigabytes: 1000 });
    const made = Array.from({ length: 300 }, () => a.createVolume(MEMBER, { size: 1 }));
    await lab.idle();
    expect(fault(() => a.createVolume(MEMBER, { size: 1 })).message).toBe(
      "VolumeLimitExceeded: Maximum number of volumes allowed (300) exceeded for quota 'volumes'.",
    );
    a.deleteVolume(MEMBER, (made[0] as Volume).id);
    await lab.idle();
    expect(a.createVolume(MEMBER, { size: 1 }).size).toBe(1);
  });
});
