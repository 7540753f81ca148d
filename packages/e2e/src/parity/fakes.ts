// The fakes' side of every parity check (the test, the re-recording test, the fidelity
// report): one scenario on a fresh fake lab, compared with what real Cinder was recorded
// doing, under the scenario's declared differences.
import { compareScenario, type ScenarioComparison } from "./compare.js";
import { declaredDifferences } from "./declared.js";
import type { Scenario } from "./scenarios.js";
import { runScenario } from "./snapshots.js";
import { fakesTarget } from "./targets.js";
import type { Exchange } from "./types.js";

export async function compareFakes(
  scenario: Scenario,
  recorded: Record<string, Exchange>,
): Promise<{ steps: Record<string, Exchange>; comparison: ScenarioComparison }> {
  const target = await fakesTarget();
  let steps: Record<string, Exchange>;
  try {
    steps = await runScenario(target, scenario);
  } finally {
    await target.close();
  }
  const declared = declaredDifferences[scenario.name] ?? [];
  return { steps, comparison: compareScenario(scenario.name, recorded, steps, declared) };
}
