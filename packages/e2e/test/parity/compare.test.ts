// The comparison at race points: a run matches when its observation equals one real Cinder
// was recorded making there, and fails on anything real Cinder was never seen to show.
import { describe, expect, test } from "vitest";
import { compareScenario, mergeRecordings, newObservations } from "../../src/parity/compare.js";
import { Normaliser } from "../../src/parity/normalise.js";
import type { Exchange, Observation } from "../../src/parity/types.js";

const creating = (host: string | null, updated: string | null): Observation => ({
  status: 200,
  body: { volume: { status: "creating", "os-vol-host-attr:host": host, updated_at: updated } },
});
const race = (...variants: Observation[]): Exchange => ({
  cluster: "a",
  method: "GET",
  path: "/v3/<project>/volumes/<id:1>",
  variants,
});
const recorded: Record<string, Exchange> = {
  show: race(creating(null, null), creating("<host-a>@ceph#ceph", "<timestamp>"), {
    status: 200,
    settled: "available",
  }),
  poll: {
    cluster: "a",
    path: "/v3/<project>/volumes/<id:1>",
    variants: [{ statuses: ["creating", "available"] }, { statuses: ["available"] }],
  },
  plain: { cluster: "a", method: "GET", status: 200, body: { volume: { status: "available" } } },
};
const run = (show: Observation, statuses: string[]): Record<string, Exchange> => ({
  show: race(show),
  poll: { cluster: "a", path: "/v3/<project>/volumes/<id:1>", variants: [{ statuses }] },
  plain: { cluster: "a", method: "GET", status: 200, body: { volume: { status: "available" } } },
});

describe("race points", () => {
  test("any observation real Cinder was recorded making matches exactly", () => {
    for (const [show, statuses] of [
      [creating(null, null), ["creating", "available"]],
      [creating("<host-a>@ceph#ceph", "<timestamp>"), ["available"]],
      [{ status: 200, settled: "available" }, ["available"]],
    ] as const) {
      const c = compareScenario("s", recorded, run(show, [...statuses]), []);
      expect(c).toMatchObject({ compared: 3, identical: 3, failing: 0 });
    }
  });

  test("an observation real Cinder never showed there fails, against the nearest recorded one", () => {
    const c = compareScenario(
      "s",
      recorded,
      run(creating("<host-a>@ceph#ceph", null), ["creating", "error"]),
      [],
    );
    expect(c.failing).toBe(2);
    const show = c.steps.find((s) => s.step === "show");
    expect(show?.variants).toBe(3);
    // host set with updated_at null is one field away from either creating observation
    expect(show?.undeclared).toHaveLength(1);
    expect(["show/body/volume/updated_at", "show/body/volume/os-vol-host-attr:host"]).toContain(
      show?.undeclared[0]?.path,
    );
    expect(c.steps.find((s) => s.step === "poll")?.undeclared.map((d) => d.path)).toEqual([
      "poll/statuses/1",
    ]);
  });

  test("a declared path applies inside the nearest observation; the rest of the step is compared as usual", () => {
    const c = compareScenario("s", recorded, run(creating("<host-a>@ceph#ceph", null), ["available"]), [
      { path: "show/body/volume/updated_at", reason: "test" },
    ]);
    expect(c).toMatchObject({ identical: 2, declaredOnly: 1, failing: 0 });
    const moved = run(creating(null, null), ["available"]);
    moved.show = { ...race(creating(null, null)), path: "/v3/<project>/volumes/<id:2>" };
    expect(compareScenario("s", recorded, moved, []).failing).toBe(1);
  });

  test("a race point recorded as one, compared with a plain exchange, fails", () => {
    const plain = run(creating(null, null), ["available"]);
    plain.show = { cluster: "a", method: "GET", path: "/v3/<project>/volumes/<id:1>", status: 200, body: {} };
    expect(compareScenario("s", recorded, plain, []).failing).toBe(1);
  });
});

describe("merging recordings", () => {
  test("race points keep every distinct observation; everything else is the fresh recording's", () => {
    const fresh = run(creating(null, null), ["creating", "error"]);
    fresh.plain = { cluster: "a", method: "GET", status: 500 };
    expect(newObservations(recorded, fresh)).toEqual([
      { step: "poll", observation: { statuses: ["creating", "error"] } },
    ]);
    const merged = mergeRecordings(recorded, fresh);
    expect(merged.show?.variants).toHaveLength(3);
    expect(merged.poll?.variants).toHaveLength(3);
    expect(merged.plain).toEqual({ cluster: "a", method: "GET", status: 500 });
    expect(mergeRecordings(merged, fresh)).toEqual(merged);
  });
});

describe("normalising a race point's observation", () => {
  test("ids first seen in it are numbered apart and do not shift the numbering after it", () => {
    const context = { projectId: "p", deployments: [] };
    const volume = "11111111-1111-4111-8111-111111111111";
    const service = "22222222-2222-4222-8222-222222222222";
    const later = "33333333-3333-4333-8333-333333333333";
    const n = new Normaliser(context);
    expect(n.value({ id: volume })).toEqual({ id: "<id:1>" });
    expect(n.fork().value({ id: volume, service_uuid: service })).toEqual({
      id: "<id:1>",
      service_uuid: "<id:~1>",
    });
    expect(n.value({ id: later })).toEqual({ id: "<id:2>" });
    expect(n.value({ service_uuid: service })).toEqual({ service_uuid: "<id:3>" });
  });
});
