// Known differences between the fakes and the recorded real Cinder, per scenario, by JSON
// path under the steps (see compare.ts for the pattern syntax), each with its reason.
// Anything not declared here that differs fails `npm run test:parity`.
import type { DeclaredDifference } from "./types.js";

export const declaredDifferences: Record<string, DeclaredDifference[]> = {
  "cross-cluster": [],
  "volume-refusals": [],
  "incremental-and-refusals": [],
  "import-unknown-service": [],
  "restore-variants": [],
  "delete-imported": [],
  "in-use-force": [],
  "more-refusals": [],
  "list-shapes": [],
};
