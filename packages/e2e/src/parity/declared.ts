// Known differences between the fakes and the recorded real Cinder, per scenario, by JSON
// path under the steps (see compare.ts for the pattern syntax), each with its reason.
// Anything not declared here that differs fails `npm run test:parity`.
import type { DeclaredDifference } from "./types.js";

/**
 * Real Cinder's first show right after a volume create races the scheduler: before it has
 * picked a backend, host and updated_at are null; after, both are set (both seen in
 * recordings). The fake answers host set and updated_at null: it has no scheduling step of
 * its own (the create's 202 body must keep updated_at null, as real Cinder's does).
 */
const HOST_WHILE_CREATING: DeclaredDifference = {
  path: "*show while creating/body/volume/os-vol-host-attr:host",
  reason:
    "real: the first show races the scheduler (host null before it picks a backend); fake: host set at create",
};
const UPDATED_WHILE_CREATING: DeclaredDifference = {
  path: "*show while creating/body/volume/updated_at",
  reason:
    "real: the first show races the scheduler (updated_at set once it has picked a backend); fake: null until available",
};
const SCHEDULER_RACE = [HOST_WHILE_CREATING, UPDATED_WHILE_CREATING];

/**
 * Real Cinder's import is a cast to the backup service: the imported backup sits in
 * "creating" for about 100 ms, which a 250 ms poll sees in some runs and misses in others.
 */
const IMPORT_CREATING_RACE: DeclaredDifference = {
  path: "*status after import/statuses/**",
  reason: 'real: the brief "creating" after an import is seen or missed by the poll depending on timing',
};

export const declaredDifferences: Record<string, DeclaredDifference[]> = {
  "cross-cluster": [...SCHEDULER_RACE, IMPORT_CREATING_RACE],
  "volume-refusals": [],
  "incremental-and-refusals": [IMPORT_CREATING_RACE],
  "import-unknown-service": [IMPORT_CREATING_RACE],
  "restore-variants": [],
  "delete-imported": [],
  "in-use-force": [],
  "more-refusals": [],
  "list-shapes": [],
};
