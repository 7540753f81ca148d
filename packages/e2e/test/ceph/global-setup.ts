import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { chooseProvider, dockerEngineAnswers, removeSessionContainers } from "../../src/ceph/index.js";

/**
 * Picks the provider once for the run (workers inherit CEPH_PROVIDER) and labels the run's
 * containers with a session id, so teardown can remove whatever a failed test left behind:
 * without testcontainers' reaper nothing else would.
 */
export default async function setup(project: TestProject) {
  const session = `${process.pid}-${randomBytes(4).toString("hex")}`;
  process.env.CINDERLAB_CEPH_SESSION = session;
  const choice = await chooseProvider();
  process.env.CEPH_PROVIDER = choice.provider.name;
  project.provide("cephProvider", choice.provider.name);
  console.log(`real-Ceph tier: provider ${choice.provider.name} (${choice.reason})`);
  return async () => {
    if (choice.provider.name !== "testcontainers" || !(await dockerEngineAnswers())) return;
    const left = await removeSessionContainers(session);
    if (left.length > 0) console.warn(`removed ${left.length} Ceph container(s) a test left running`);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    cephProvider: string;
  }
}
