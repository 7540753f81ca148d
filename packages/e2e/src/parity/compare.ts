// Comparing a run with a recorded snapshot: every difference is a JSON path under the
// steps; declared differences (per scenario, with a reason) are allowed, nothing else.
// At a race point (an exchange with `variants`) the run's observation must equal one of the
// observations real Cinder was recorded showing there: it fails if the fake shows anything
// real Cinder was never seen to show at that moment.
import type { DeclaredDifference, Exchange, Observation } from "./types.js";

export interface Difference {
  /** JSON-pointer style, step label first: `A volume create/body/volume/consumes_quota` */
  path: string;
  expected: unknown;
  actual: unknown;
}

export interface StepResult {
  step: string;
  /** a race point: how many observations real Cinder was recorded showing there */
  variants?: number;
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

type Found = Array<{ path: string[]; expected: unknown; actual: unknown }>;

function classify(found: Found, declared: DeclaredDifference[]): Pick<StepResult, "declared" | "undeclared"> {
  const out: Pick<StepResult, "declared" | "undeclared"> = { declared: [], undeclared: [] };
  for (const d of found) {
    const difference = { path: d.path.join("/"), expected: shown(d.expected), actual: shown(d.actual) };
    const rule = declared.find((r) => pathMatches(r.path, d.path));
    if (rule) out.declared.push({ ...difference, reason: rule.reason });
    else out.undeclared.push(difference);
  }
  return out;
}

/** the recorded observation nearest to the run's: fewest undeclared, then fewest declared differences */
function nearest(
  step: string,
  recorded: Observation[],
  observed: Observation,
  declared: DeclaredDifference[],
): Found {
  let best: { found: Found; undeclared: number } | undefined;
  for (const candidate of recorded) {
    const found: Found = [];
    diff([step], candidate, observed, found);
    const undeclared = found.filter((d) => !declared.some((r) => pathMatches(r.path, d.path))).length;
    if (
      best === undefined ||
      undeclared < best.undeclared ||
      (undeclared === best.undeclared && found.length < best.found.length)
    )
      best = { found, undeclared };
  }
  return best?.found ?? [];
}

function compareStep(
  step: string,
  expected: Exchange | typeof MISSING,
  actual: Exchange | typeof MISSING,
  declared: DeclaredDifference[],
): StepResult {
  const found: Found = [];
  const recorded = expected === MISSING ? undefined : expected.variants;
  const observed = actual === MISSING ? undefined : actual.variants;
  if (recorded !== undefined && observed !== undefined && expected !== MISSING && actual !== MISSING) {
    const { variants: _r, ...expectedFixed } = expected;
    const { variants: _o, ...actualFixed } = actual;
    diff([step], expectedFixed, actualFixed, found);
    for (const observation of observed) found.push(...nearest(step, recorded, observation, declared));
  } else {
    diff([step], expected, actual, found);
  }
  const result: StepResult = { step, identical: found.length === 0, ...classify(found, declared) };
  if (recorded !== undefined) result.variants = recorded.length;
  return result;
}

export function compareScenario(
  scenario: string,
  expected: Record<string, Exchange>,
  actual: Record<string, Exchange>,
  declared: DeclaredDifference[],
): ScenarioComparison {
  const steps: StepResult[] = [];
  for (const step of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    steps.push(compareStep(step, expected[step] ?? MISSING, actual[step] ?? MISSING, declared));
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

/** JSON with object keys sorted: equal observations give equal text whatever the key order */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

/** distinct observations, in a stable order (so re-recording does not reorder a file) */
export function distinctObservations(observations: Observation[]): Observation[] {
  const byText = new Map<string, Observation>();
  for (const o of observations) byText.set(canonical(o), o);
  return [...byText.entries()].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)).map(([, o]) => o);
}

/**
 * A recording with the race points' observations of an earlier one added: `fresh` decides
 * which steps there are and everything that is not a race point; a race point keeps every
 * distinct observation either saw.
 */
export function mergeRecordings(
  earlier: Record<string, Exchange>,
  fresh: Record<string, Exchange>,
): Record<string, Exchange> {
  const out: Record<string, Exchange> = {};
  for (const [step, exchange] of Object.entries(fresh)) {
    const before = earlier[step]?.variants;
    out[step] =
      exchange.variants && before
        ? { ...exchange, variants: distinctObservations([...before, ...exchange.variants]) }
        : exchange;
  }
  return out;
}

/** race-point observations in `fresh` that `earlier` does not have, step by step */
export function newObservations(
  earlier: Record<string, Exchange>,
  fresh: Record<string, Exchange>,
): Array<{ step: string; observation: Observation }> {
  const out: Array<{ step: string; observation: Observation }> = [];
  for (const [step, exchange] of Object.entries(fresh)) {
    const known = new Set((earlier[step]?.variants ?? []).map(canonical));
    for (const o of exchange.variants ?? []) if (!known.has(canonical(o))) out.push({ step, observation: o });
  }
  return out;
}

/** one line per undeclared difference, for a failing test's message */
export function describeUndeclared(c: ScenarioComparison): string {
  return c.steps
    .flatMap((s) =>
      s.undeclared.map((d) => {
        const where =
          s.variants === undefined ? "" : ` (race point: nearest of ${s.variants} recorded observations)`;
        return `${d.path}: recorded ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}${where}`;
      }),
    )
    .join("\n");
}
