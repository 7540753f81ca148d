import { inject } from "vitest";
import { chooseProvider, type StartedCeph } from "../../src/ceph/index.js";

/**
 * Non-empty when the tier must skip: no provider can start (never in CI, where
 * global-setup fails the run instead), or the file runs under the package's default vitest
 * config, which has no cluster (the tier is `vitest run -c vitest.ceph.config.ts`).
 */
export const cephUnavailable: string =
  (inject("cephUnavailable") as string | undefined) ?? "real-Ceph tests run only with vitest.ceph.config.ts";

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
