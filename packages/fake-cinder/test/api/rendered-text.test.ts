// Hot reads (backup and volume show, detail lists) reuse each row's last JSON text while
// the row is unchanged: the text must always be what rendering the current row gives.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ListDocumentCache, RowTextCache } from "../../src/api/row-text.js";
import { type Cluster, makeCluster } from "./helpers.js";

describe("RowTextCache", () => {
  // a render that counts its calls and shows the row as JSON
  const renderer = (row: object) => {
    const calls = { n: 0 };
    const render = () => {
      calls.n++;
      return JSON.stringify(row);
    };
    return { calls, render };
  };

  it("reuses a text until the row changes anywhere, nested values and key order included", () => {
    const cache = new RowTextCache();
    const row: Record<string, unknown> = {
      id: "v",
      metadata: { k: "1" } as Record<string, string>,
      attachments: [{ id: "a", info: { x: 1 } }],
      at: new Date(0),
      gone: null,
    };
    const { calls, render } = renderer(row);
    const text = () => cache.text(row, "3.70", null, render);
    expect(text()).toBe(JSON.stringify(row));
    expect(text()).toBe(JSON.stringify(row));
    expect(calls.n).toBe(1);
    const changes: Array<() => void> = [
      () => {
        (row.metadata as Record<string, string>).k = "2"; // in place
      },
      () => {
        (row.metadata as Record<string, string>).j = "3"; // a key added in place
      },
      () => {
        row.metadata = { j: "3", k: "2" }; // same entries, other order
      },
      () => {
        ((row.attachments as Array<{ info: { x: number } }>)[0] as { info: { x: number } }).info.x = 2;
      },
      () => {
        (row.attachments as unknown[]).push({ id: "b" });
      },
      () => {
        (row.at as Date).setTime(1000); // the same Date object, mutated
      },
      () => {
        row.at = new Date(2000);
      },
      () => {
        row.gone = undefined; // JSON drops it, but it is a change all the same
      },
      () => {
        delete row.gone;
      },
      () => {
        row.late = "added";
      },
      () => {
        // as many keys as before, but not the same ones
        delete row.late;
        row.other = "added";
      },
      () => {
        // the same keys in another order
        const { id, ...rest } = row;
        for (const key of Object.keys(row)) delete row[key];
        Object.assign(row, rest, { id });
      },
    ];
    for (const change of changes) {
      const before = calls.n;
      change();
      expect(text()).toBe(JSON.stringify(row));
      expect(calls.n).toBe(before + 1);
      expect(text()).toBe(JSON.stringify(row));
      expect(calls.n).toBe(before + 1);
    }
  });

  it("treats a Date replaced by an equal one as unchanged", () => {
    const cache = new RowTextCache();
    const row = { at: new Date(5) };
    const { calls, render } = renderer(row);
    cache.text(row, "v", null, render);
    row.at = new Date(5);
    cache.text(row, "v", null, render);
    expect(calls.n).toBe(1);
  });

  it("keeps one text per variant and re-renders when the extra input changes", () => {
    const cache = new RowTextCache();
    const row = { id: "v" };
    let calls = 0;
    const text = (variant: string, extra: unknown) =>
      cache.text(row, variant, extra, () => `${variant}/${String(extra)}/${++calls}`);
    expect(text("3.0", "lvm")).toBe("3.0/lvm/1");
    expect(text("3.70", "lvm")).toBe("3.70/lvm/2");
    expect(text("3.0", "lvm")).toBe("3.0/lvm/1");
    expect(text("3.0", "ceph")).toBe("3.0/ceph/3");
    expect(text("3.0", "ceph")).toBe("3.0/ceph/3");
    // many variants at once: older ones are dropped, never served for another variant
    for (let i = 0; i < 20; i++) expect(text(`x${i}`, null)).toBe(`x${i}/null/${4 + i}`);
    expect(text("3.70", "lvm")).toBe("3.70/lvm/24");
  });

  it("never reuses a text for a row holding values it cannot compare", () => {
    const cache = new RowTextCache();
    const shared = new Map([["k", "v"]]);
    const row = { id: "v", extras: shared };
    let calls = 0;
    cache.text(row, "v", null, () => String(++calls));
    expect(cache.text(row, "v", null, () => String(++calls))).toBe("2");
    class Version {
      n = 1;
    }
    const other = new Version();
    cache.text(other, "v", null, () => String(++calls));
    expect(cache.text(other, "v", null, () => String(++calls))).toBe("4");
  });
});

describe("ListDocumentCache", () => {
  it("reuses the bytes only while head, every item and tail are the same", () => {
    const docs = new ListDocumentCache();
    const items = ['{"id":"a"}', '{"id":"b"}'];
    const first = docs.body("k", '{"volumes":[', items, "]}");
    expect(first.toString()).toBe('{"volumes":[{"id":"a"},{"id":"b"}]}');
    expect(docs.body("k", '{"volumes":[', [...items], "]}")).toBe(first);
    expect(docs.body("k", '{"volumes":[', ['{"id":"a"}', '{"id":"c"}'], "]}").toString()).toBe(
      '{"volumes":[{"id":"a"},{"id":"c"}]}',
    );
    expect(docs.body("k", '{"volumes":[', ['{"id":"a"}'], "]}").toString()).toBe('{"volumes":[{"id":"a"}]}');
    expect(docs.body("k", '{"volumes":[', ['{"id":"a"}'], '],"count":1}').toString()).toBe(
      '{"volumes":[{"id":"a"}],"count":1}',
    );
    expect(docs.body("k", '{"backups":[', ['{"id":"a"}'], '],"count":1}').toString()).toBe(
      '{"backups":[{"id":"a"}],"count":1}',
    );
    expect(docs.body("k", '{"volumes":[', [], "]}").toString()).toBe('{"volumes":[]}');
  });

  it("keeps a bounded number of documents and still answers right for a forgotten key", () => {
    const docs = new ListDocumentCache();
    const first = docs.body("k0", "[", ["0"], "]");
    for (let i = 1; i < 40; i++) docs.body(`k${i}`, "[", [String(i)], "]");
    const again = docs.body("k0", "[", ["0"], "]");
    expect(again).not.toBe(first);
    expect(again.toString()).toBe("[0]");
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

  it("serves each caller, URL form and host its own view of the same unchanged rows", async () => {
    const created = await c.call({
      method: "POST",
      url: `${c.base}/volumes`,
      payload: { volume: { size: 1, metadata: { k: "v" } } },
    });
    const volumeId = created.json().volume.id as string;
    await c.idle();
    const backupId = (
      await c.call({ method: "POST", url: `${c.base}/backups`, payload: { backup: { volume_id: volumeId } } })
    ).json().backup.id as string;
    await c.idle();
    const read = async (path: string, as: "admin" | "member", prefix: string, host: string) => {
      const res = await c.call({
        method: "GET",
        url: `${prefix}${path}`,
        version: "3.70",
        as,
        headers: { host },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(res.body).toBe(JSON.stringify(res.json()));
      return res.json();
    };
    // every combination twice, interleaved, so that each one is also served from the cache
    for (let round = 0; round < 2; round++) {
      for (const as of ["admin", "member"] as const) {
        for (const [prefix, inUrl] of [
          [c.base, `/${c.creds.projectId}`],
          ["/v3", ""],
        ] as const) {
          for (const host of ["127.0.0.1:8776", "cinder.example:8776"]) {
            const self = (collection: string, id: string) => `http://${host}/v3${inUrl}/${collection}/${id}`;
            const volume = (await read(`/volumes/${volumeId}`, as, prefix, host)).volume;
            const listed = (await read("/volumes/detail", as, prefix, host)).volumes[0];
            const summary = (await read("/volumes", as, prefix, host)).volumes[0];
            const backup = (await read(`/backups/${backupId}`, as, prefix, host)).backup;
            const backupListed = (await read("/backups/detail", as, prefix, host)).backups[0];
            expect(listed).toEqual(volume);
            expect(backupListed).toEqual(backup);
            expect(volume.links[0].href).toBe(self("volumes", volumeId));
            expect(summary.links[0].href).toBe(self("volumes", volumeId));
            expect(backup.links[0].href).toBe(self("backups", backupId));
            // admin-only fields (os-vol-host-attr, user_id on a backup at 3.56+)
            expect("os-vol-host-attr:host" in volume).toBe(as === "admin");
            expect("user_id" in backup).toBe(as === "admin");
            expect(volume.metadata).toEqual({ k: "v" });
          }
        }
      }
    }
  });
});
