// Comparing a run with a recorded snapshot: every difference is a JSON path under the
// steps; declared differences (per scenario, with a reason) are allowed, nothing else.
import type { DeclaredDifference, Exchange } from "./types.js";

export interface Difference {
  /** JSON-pointer style, step label first: `A volume create/body/volume/consumes_quota` */
  path: string;
  expected: unknown;
  actual: unknown;
}

export interface StepResult {
  step: string;
  /** no difference at all */
  identical: boolean;
  declared: Array<Difference & { reason: string }>;
  undeclared: Difference[];
}

export interface ScenarioComparison {
  scenario: string;
  steps: StepResult[];
  compared: number;
  identical: number;
  /** steps whose only differences are declared */
  declaredOnly: number;
  failing: number;
}

const MISSING = Symbol("missing");

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function diff(
  path: string[],
  expected: unknown,
  actual: unknown,
  out: Array<{ path: string[]; expected: unknown; actual: unknown }>,
): void {
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      diff(
        [...path, key],
        key in expected ? expected[key] : MISSING,
        key in actual ? actual[key] : MISSING,
        out,
      );
    }
    return;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      diff(
        [...path, String(i)],
        i < expected.length ? expected[i] : MISSING,
        i < actual.length ? actual[i] : MISSING,
        out,
      );
    }
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push({ path, expected, actual });
}

/** within a segment `*` matches any run of characters */
function segmentMatches(pattern: string, segment: string): boolean {
  if (!pattern.includes("*")) return pattern === segment;
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(segment);
}

/** `/`-separated; `*` inside a segment matches any characters, a `**` segment any rest */
export function pathMatches(pattern: string, path: string[]): boolean {
  const parts = pattern.split("/");
  const walk = (i: number, j: number): boolean => {
    if (i === parts.length) return j === path.length;
    if (parts[i] === "**") return true;
    if (j === path.length) return false;
    return segmentMatches(parts[i] as string, path[j] as string) && walk(i + 1, j + 1);
  };
  return walk(0, 0);
}

const shown = (v: unknown): unknown => (v === MISSING ? "<absent>" : v);

export function compareScenario(
  scenario: string,
  expected: Record<string, Exchange>,
  actual: Record<string, Exchange>,
  declared: DeclaredDifference[],
): ScenarioComparison {
  const steps: StepResult[] = [];
  for (const step of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const found: Array<{ path: string[]; expected: unknown; actual: unknown }> = [];
    diff([step], step in expected ? expected[step] : MISSING, step in actual ? actual[step] : MISSING, found);
    const result: StepResult = { step, identical: found.length === 0, declared: [], undeclared: [] };
    for (const d of found) {
      const difference = { path: d.path.join("/"), expected: shown(d.expected), actual: shown(d.actual) };
      const rule = declared.find((r) => pathMatches(r.path, d.path));
      if (rule) result.declared.push({ ...difference, reason: rule.reason });
      else result.undeclared.push(difference);
    }
    steps.push(result);
  }
  return {
    scenario,
    steps,
    compared: steps.length,
    identical: steps.filter((s) => s.identical).length,
    declaredOnly: steps.filter((s) => !s.identical && s.undeclared.length === 0).length,
    failing: steps.filter((s) => s.undeclared.length > 0).length,
  };
}

/** one line per undeclared difference, for a failing test's message */
export function describeUndeclared(c: ScenarioComparison): string {
  return c.steps
    .flatMap((s) => s.undeclared)
    .map((d) => `${d.path}: recorded ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`)
    .join("\n");
}
