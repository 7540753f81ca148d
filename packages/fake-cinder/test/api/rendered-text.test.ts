// Detail lists and backup show reuse each row's last JSON text when its fresh view is the
// same: the text must always be what JSON.stringify would give for the current view.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rowJson } from "../../src/api/http.js";
import { type Cluster, makeCluster } from "./helpers.js";

describe("rowJson", () => {
  it("reuses text only for an equal view, nested values and key order included", () => {
    const row = {};
    const view = { id: "v", metadata: { k: "1" } as Record<string, string>, links: [{ rel: "self" }] };
    expect(rowJson(row, view)).toBe(JSON.stringify(view));
    view.metadata.k = "2"; // changed in place: the same object as last time
    expect(rowJson(row, view)).toBe('{"id":"v","metadata":{"k":"2"},"links":[{"rel":"self"}]}');
    expect(rowJson(row, { metadata: { k: "2" }, id: "v", links: [{ rel: "self" }] })).toBe(
      '{"metadata":{"k":"2"},"id":"v","links":[{"rel":"self"}]}',
    );
    expect(rowJson(row, { id: "v", links: [] })).toBe('{"id":"v","links":[]}');
    expect(rowJson(row, { id: "v", links: [], extra: undefined })).toBe('{"id":"v","links":[]}');
  });

  it("never reuses text made from a value with its own JSON form", () => {
    const row = {};
    const when = new Date(0);
    expect(rowJson(row, { when })).toBe('{"when":"1970-01-01T00:00:00.000Z"}');
    when.setTime(1000);
    expect(rowJson(row, { when })).toBe('{"when":"1970-01-01T00:00:01.000Z"}');
  });
});

describe("volumes/detail and backup show over changes", () => {
  let c: Cluster;
  beforeEach(async () => {
    c = await makeCluster();
  });
  afterEach(async () => {
    await c.close();
  });

  it("shows each change and each microversion's fields on the next read", async () => {
    const created = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      payload: { volume: { size: 1 } },
    });
    const id = created.json().volume.id as string;
    await c.idle();
    const detail = async (version: string) => {
      const res = await c.call({ method: "GET", url: `${c.base}/volumes/detail`, version });
      expect(res.body).toBe(JSON.stringify(res.json()));
      return res.json().volumes[0];
    };
    expect(await detail("3.70")).toMatchObject({ id, bootable: "false", volume_type_id: expect.any(String) });
    await c.call({
      method: "POST",
      url: `${c.base}/volumes/${id}/action`,
      payload: { "os-set_bootable": { bootable: "true" } },
    });
    expect(await detail("3.70")).toMatchObject({ bootable: "true" });
    expect(await detail("3.0")).not.toHaveProperty("volume_type_id");
    expect(await detail("3.70")).toHaveProperty("volume_type_id");

    const backup = await c.call({
      method: "POST",
      url: `${c.base}/backups`,
      payload: { backup: { volume_id: id } },
      version: "3.70",
    });
    const backupId = backup.json().backup.id as string;
    const show = async () =>
      (await c.call({ method: "GET", url: `${c.base}/backups/${backupId}`, version: "3.70" })).json().backup;
    expect(await show()).toMatchObject({ status: "creating" });
    await c.idle();
    expect(await show()).toMatchObject({ status: "available", size: 1 });
  });
});
