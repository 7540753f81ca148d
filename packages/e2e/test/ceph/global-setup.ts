import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import {
  chooseProvider,
  dockerEngineAnswers,
  removeSessionContainers,
  stopSessionClusters,
} from "../../src/ceph/index.js";

/**
 * Picks the provider once for the run (workers inherit CEPH_PROVIDER) and labels the run's
 * containers with a session id, so teardown can remove whatever a failed test left behind:
 * without testcontainers' reaper nothing else would.
 *
 * No usable provider: in CI (CI=true) the run fails here; elsewhere the tier's tests are
 * skipped with the reason, so a laptop without Ceph or Docker can still run everything else.
 */
export default async function setup(project: TestProject) {
  const session = `${process.pid}-${randomBytes(4).toString("hex")}`;
  process.env.CINDERLAB_CEPH_SESSION = session;
  let unavailable: string | undefined;
  let name = process.env.CEPH_PROVIDER || "default";
  try {
    const choice = await chooseProvider();
    name = choice.provider.name;
    process.env.CEPH_PROVIDER = name;
    unavailable = await choice.provider.unavailableReason();
    console.log(
      `real-Ceph tier: provider ${name} (${choice.reason})${unavailable ? `: ${unavailable}` : ""}`,
    );
  } catch (e) {
    unavailable = e instanceof Error ? e.message : String(e);
  }
  if (unavailable !== undefined && process.env.CI === "true") {
    throw new Error(`real-Ceph tier: no Ceph provider can start (${name}): ${unavailable}`);
  }
  project.provide("cephUnavailable", unavailable ?? "");
  return async () => {
    if (name === "local") {
      const left = await stopSessionClusters(session);
      if (left.length > 0) console.warn(`stopped ${left.length} local Ceph cluster(s) a test left running`);
    }
    if (name === "testcontainers" && (await dockerEngineAnswers())) {
      const left = await removeSessionContainers(session);
      if (left.length > 0) console.warn(`removed ${left.length} Ceph container(s) a test left running`);
    }
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** Why no real Ceph can start here ("" when one can); only ever non-empty outside CI. */
    cephUnavailable: string;
  }
}
