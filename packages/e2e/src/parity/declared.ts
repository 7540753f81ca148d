// Known differences between the fakes and the recorded real Cinder, per scenario, by JSON
// path under the steps (see compare.ts for the pattern syntax), each with its reason.
// Anything not declared here that differs fails `npm run test:parity`.
import type { DeclaredDifference } from "./types.js";

/**
 * A difference of the fake, not a race: real Cinder's first show right after a volume create
 * is a race point whose recorded observations are: host and updated_at both null (its
 * scheduler has not picked a backend yet), both set (it has: the scheduler's save stamps
 * updated_at), or the volume already available. fake-cinder has no scheduling step: it puts
 * the volume on its host at create and leaves updated_at null until available, a combination
 * real Cinder never shows. The nearest real observation is the one before the scheduler, and
 * it differs from the fake's in the host alone.
 */
const HOST_BEFORE_SCHEDULING: DeclaredDifference = {
  path: "*show while creating/body/volume/os-vol-host-attr:host",
  reason:
    "fake: host set at create while updated_at is still null (no scheduler step); real: host null until its scheduler picks a backend, and that save also stamps updated_at",
};

export const declaredDifferences: Record<string, DeclaredDifference[]> = {
  "cross-cluster": [HOST_BEFORE_SCHEDULING],
  "volume-refusals": [],
  "incremental-and-refusals": [],
  "import-unknown-service": [],
  "restore-variants": [],
  "delete-imported": [],
  "in-use-force": [],
  "more-refusals": [],
  "list-shapes": [],
};
