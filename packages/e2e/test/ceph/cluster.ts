import { inject } from "vitest";
import { chooseProvider, type StartedCeph } from "../../src/ceph/index.js";

/** Non-empty when the tier must skip (never in CI: global-setup fails the run instead). */
export const cephUnavailable = inject("cephUnavailable");

/** Starts a cluster from the provider the run chose, and says how long it took. */
export async function startCeph(pools: readonly string[]): Promise<StartedCeph> {
  const { provider } = await chooseProvider();
  const t0 = performance.now();
  const ceph = await provider.start({ pools });
  console.log(
    `${provider.name}: cluster with pools ${pools.join(", ")} up in ${Math.round(performance.now() - t0)} ms`,
  );
  return ceph;
}
