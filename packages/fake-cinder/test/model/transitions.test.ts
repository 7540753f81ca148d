import { describe, expect, it } from "vitest";
import { TRANSITIONS } from "../../src/model/transitions.js";
import { BACKUP_STATUSES, VOLUME_STATUSES } from "../../src/model/types.js";

describe("transition table", () => {
  it("uses only Cinder 21 statuses", () => {
    for (const [name, t] of Object.entries(TRANSITIONS)) {
      const vol = "volume" in t ? t.volume : undefined;
      const bak = "backup" in t ? t.backup : undefined;
      for (const s of vol ? [vol.from, vol.ok, vol.fail] : []) {
        if (s !== null && s !== "previous") expect(VOLUME_STATUSES, name).toContain(s);
      }
      for (const s of bak ? [bak.from, bak.ok, bak.fail] : []) {
        if (s !== null) expect(BACKUP_STATUSES, name).toContain(s);
      }
    }
  });

  it("declares the backup paths Cinder's managers take", () => {
    expect(TRANSITIONS["backup.create"]).toEqual({
      volume: { from: "backing-up", ok: "previous", fail: "previous" },
      backup: { from: "creating", ok: "available", fail: "error" },
    });
    expect(TRANSITIONS["backup.restore"]).toEqual({
      volume: { from: "restoring-backup", ok: "available", fail: "error_restoring" },
      backup: { from: "restoring", ok: "available", fail: "available" },
    });
    expect(TRANSITIONS["backup.delete"].backup).toEqual({ from: "deleting", ok: null, fail: "error" });
  });
});
