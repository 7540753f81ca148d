// The live view's timeline as pure data: paths shown, cinder verbs mapped, and causes
// carried from the API call to the status changes it set off, now or later.
import { describe, expect, it } from "vitest";
import { timelineEntrySchema } from "../../src/view/schemas.js";
import { describeCall, faultMessage, parsePath, Timeline } from "../../src/view/timeline.js";

const PROJECT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const VOL = "3f6c1a2b-8d4e-4c1f-9a7b-2e5d6c7b8a90";
const BAK = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const at = (s: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, s));

describe("parsePath", () => {
  it("hides the project and shortens ids", () => {
    expect(parsePath(`/v3/${PROJECT}/backups/${BAK}/restore?x=1`)).toEqual({
      display: "/v3/<p>/backups/9a8b7c6d/restore",
      pattern: "backups/{id}/restore",
      control: false,
      ids: [BAK],
    });
  });
  it("keeps a project-less path (3.67) as it is", () => {
    expect(parsePath("/v3/backups").display).toBe("/v3/backups");
  });
  it("recognises the lab's control plane", () => {
    expect(parsePath("/_fake/clock/advance")).toMatchObject({
      control: true,
      pattern: "/_fake/clock/advance",
    });
  });
});

describe("describeCall", () => {
  const call = (method: string, path: string, action?: string) =>
    describeCall({ cluster: "a", method, url: `/v3/${PROJECT}/${path}`, action });

  it.each([
    ["POST", "volumes", undefined, "cinder create"],
    ["DELETE", `volumes/${VOL}`, undefined, "cinder delete"],
    ["POST", "backups", undefined, "cinder backup-create"],
    ["POST", `backups/${BAK}/restore`, undefined, "cinder backup-restore"],
    ["GET", `backups/${BAK}/export_record`, undefined, "cinder backup-export"],
    ["POST", "backups/import_record", undefined, "cinder backup-import"],
    ["DELETE", `backups/${BAK}`, undefined, "cinder backup-delete"],
    ["POST", `backups/${BAK}/action`, "os-reset_status", "cinder backup-reset-state"],
    ["POST", `volumes/${VOL}/action`, "os-reset_status", "cinder reset-state"],
    ["POST", `volumes/${VOL}/action`, "os-extend", "cinder extend"],
  ])("%s %s %s → %s", (method, path, action, cli) => {
    expect(call(method, path, action).cli).toBe(cli);
  });

  it("names the action in the request and has no verb for Nova's actions", () => {
    const d = call("POST", `volumes/${VOL}/action`, "os-detach");
    expect(d).toMatchObject({
      request: "POST /v3/<p>/volumes/3f6c1a2b/action os-detach",
      cli: null,
      shown: true,
    });
  });

  it("names the lab's service restart as the systemctl restart it stands for", () => {
    const d = describeCall({ cluster: "b", method: "POST", url: "/_fake/services/restart" });
    expect(d).toMatchObject({
      cli: "lab: restart a service (systemctl restart)",
      control: true,
      shown: true,
    });
  });

  it("leaves out plain reads (client polling) but keeps the export", () => {
    expect(call("GET", `backups/${BAK}`).shown).toBe(false);
    expect(call("GET", "volumes/detail").shown).toBe(false);
    expect(call("GET", `backups/${BAK}/export_record`).shown).toBe(true);
  });
});

describe("faultMessage", () => {
  it("reads Cinder's, webob's and Keystone's error bodies", () => {
    expect(faultMessage('{"badRequest": {"code": 400, "message": "Invalid volume: in-use"}}')).toBe(
      "Invalid volume: in-use",
    );
    expect(
      faultMessage(
        '{"message": "The resource could not be found.<br /><br />\\n\\n\\n", "code": "404 Not Found"}',
      ),
    ).toBe("The resource could not be found.");
    expect(
      faultMessage(
        '{"error": {"code": 401, "message": "The request you have made requires authentication."}}',
      ),
    ).toBe("The request you have made requires authentication.");
  });
  it("is null for a body without a message", () => {
    expect(faultMessage("not json")).toBeNull();
    expect(faultMessage('{"volume": {"id": "x"}}')).toBeNull();
    expect(faultMessage("null")).toBeNull();
  });
});

describe("Timeline", () => {
  const backupCreate = { cluster: "a", method: "POST", url: `/v3/${PROJECT}/backups` };

  it("shows the call first, then the changes it made, each caused by it", () => {
    const t = new Timeline();
    t.begin(1, backupCreate, at(0));
    expect(
      t.change({ cluster: "a", kind: "backup", id: BAK, from: null, to: "creating", at: at(1) }, 1),
    ).toEqual([]);
    expect(
      t.change({ cluster: "a", kind: "volume", id: VOL, from: "available", to: "backing-up", at: at(1) }, 1),
    ).toEqual([]);
    const out = t.end(1, 202, at(2));
    expect(out.map((e) => e.kind)).toEqual(["api", "status", "status"]);
    // the call is timed when it started, so it is never later than what it did
    expect(out.map((e) => e.at)).toEqual([at(0), at(1), at(1)].map((d) => d.toISOString()));
    for (const e of out) timelineEntrySchema.parse(e);
    expect(out[0]).toMatchObject({
      kind: "api",
      method: "POST",
      path: "/v3/<p>/backups",
      status: 202,
      command: { request: "POST /v3/<p>/backups", cli: "cinder backup-create" },
    });
    expect(out[1]).toMatchObject({
      resource: "backup",
      from: null,
      to: "creating",
      cause: { cli: "cinder backup-create" },
    });
    expect(out.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it("gives a delayed step the cause of the call that started it", () => {
    const t = new Timeline();
    t.begin(1, backupCreate);
    t.change({ cluster: "a", kind: "backup", id: BAK, from: null, to: "creating", at: at(1) }, 1);
    t.end(1, 202, at(1));
    // the timer fires later, in the (finished) call's async context or in none
    const [later] = t.change(
      { cluster: "a", kind: "backup", id: BAK, from: "creating", to: "available", at: at(5) },
      1,
    );
    expect(later).toMatchObject({
      to: "available",
      cause: { cli: "cinder backup-create" },
      at: at(5).toISOString(),
    });
    const [again] = t.change({
      cluster: "a",
      kind: "backup",
      id: BAK,
      from: "available",
      to: "deleting",
      at: at(6),
    });
    expect(again).toMatchObject({ cause: { cli: "cinder backup-create" } });
  });

  it("keeps the Cinder cause when the lab's clock advance runs the step", () => {
    const t = new Timeline();
    t.begin(1, backupCreate);
    t.change({ cluster: "a", kind: "backup", id: BAK, from: null, to: "creating", at: at(1) }, 1);
    t.end(1, 202, at(1));
    t.begin(2, { cluster: "a", method: "POST", url: "/_fake/clock/advance" });
    t.change({ cluster: "a", kind: "backup", id: BAK, from: "creating", to: "available", at: at(2) }, 2);
    // a change with no earlier Cinder call is the control call's doing
    t.change({ cluster: "a", kind: "service", id: "cinder-backup@b", from: "up", to: "down", at: at(2) }, 2);
    const out = t.end(2, 200, at(2));
    expect(out[0]).toMatchObject({ kind: "api", command: { cli: "lab: advance the clock" } });
    expect(out[1]).toMatchObject({ to: "available", cause: { cli: "cinder backup-create" } });
    expect(out[2]).toMatchObject({ resource: "service", cause: { cli: "lab: advance the clock" } });
  });

  it("shows refused calls and leaves reads out, changes and all", () => {
    const t = new Timeline();
    t.begin(1, { cluster: "b", method: "POST", url: `/v3/${PROJECT}/backups/${BAK}/restore` });
    expect(
      t.end(1, 400, at(1), { message: "Invalid backup: Backup status must be available" }),
    ).toMatchObject([
      {
        kind: "api",
        status: 400,
        command: { cli: "cinder backup-restore" },
        message: "Invalid backup: Backup status must be available",
      },
    ]);
    t.begin(2, { cluster: "b", method: "GET", url: `/v3/${PROJECT}/backups/detail` });
    expect(t.end(2, 200, at(1))).toEqual([]);
    // a call refused before its handler ran comes with the call itself
    expect(
      t.end(99, 404, at(1), {
        fallback: { cluster: "b", method: "DELETE", url: `/v3/${PROJECT}/volumes/${VOL}` },
      }),
    ).toMatchObject([{ kind: "api", status: 404, command: { cli: "cinder delete" } }]);
    expect(t.entries).toHaveLength(2);
  });

  it("has no cause for a change nobody asked for, and forgets deleted resources", () => {
    const t = new Timeline();
    t.begin(1, { cluster: "a", method: "DELETE", url: `/v3/${PROJECT}/volumes/${VOL}` });
    t.change({ cluster: "a", kind: "volume", id: VOL, from: "available", to: "deleting", at: at(1) }, 1);
    t.end(1, 202, at(1));
    expect(
      t.change({ cluster: "a", kind: "volume", id: VOL, from: "deleting", to: null, at: at(2) })[0],
    ).toMatchObject({
      cause: { cli: "cinder delete" },
    });
    expect(
      t.change({ cluster: "a", kind: "volume", id: VOL, from: null, to: "available", at: at(3) })[0],
    ).toMatchObject({
      cause: null,
    });
  });

  it("lets go of the oldest calls that never ended (client gone)", () => {
    const t = new Timeline();
    for (let key = 1; key <= 1001; key++) t.begin(key, backupCreate);
    expect(t.isOpen(1)).toBe(false);
    expect(t.isOpen(2)).toBe(true);
    expect(t.end(1, 202, at(1))).toEqual([]);
    expect(t.end(1001, 202, at(1))).toHaveLength(1);
  });

  it("keeps only the newest entries", () => {
    const t = new Timeline(3);
    for (let i = 0; i < 5; i++)
      t.change({ cluster: "a", kind: "volume", id: VOL, from: null, to: `s${i}`, at: at(i) });
    expect(t.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
  });
});
