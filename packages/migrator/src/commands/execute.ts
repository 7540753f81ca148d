// Runs (or resumes) a migration: the engine with the real adapters, progress, the
// journal file, the crash hook for tests, Ctrl-C, and the final report.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { StepName } from "../engine/facts.js";
import type { Journal, RunState } from "../engine/journal.js";
import type { BlockStorage, CephAccess } from "../engine/ports.js";
import { realClock } from "../engine/ports.js";
import type { CrashPhase, EngineDeps, Migration } from "../engine/runner.js";
import { EXIT, MigratorError } from "../errors.js";
import { renderMarkdown } from "../report/markdown.js";
import { progressFor } from "../report/progress.js";
import { buildReport, type MigrationReport } from "../report/report.js";

export interface ExecuteInput {
  a: BlockStorage;
  b: BlockStorage;
  receiver?: BlockStorage;
  ceph: CephAccess;
  journal: Journal;
  stateDir: string;
  output: "human" | "json";
  reportPath?: string;
  pollMinMs?: number;
  pollMaxMs?: number;
  names: Map<string, string>;
  /** Cinder API requests sent by the engine (for the report) */
  apiCalls?: () => number;
  start: (deps: EngineDeps) => Migration;
}

export class VolumesFailed extends MigratorError {
  constructor(report: MigrationReport, where: string) {
    const t = report.totals;
    super(
      "STEP",
      `${t.failed + t.pending} of ${t.volumes} volumes did not migrate (run ${report.runId}); report: ${where}`,
      {
        exitCode: EXIT.volumesFailed,
      },
    );
  }
}

export class Interrupted extends MigratorError {
  constructor(runId: string) {
    super("STEP", `interrupted; continue with: cinder-migrate resume ${runId}`, {
      exitCode: EXIT.interrupted,
    });
  }
}

/** CINDER_MIGRATE_CRASH_AT=<step>:<before|during|acted|after> kills this process there (crash tests). */
export function crashHookFromEnv(env = process.env): EngineDeps["crashPoint"] {
  const spec = env.CINDER_MIGRATE_CRASH_AT;
  if (!spec) return undefined;
  return (_volume: string, step: StepName, phase: CrashPhase) => {
    if (`${step}:${phase}` === spec) process.kill(process.pid, "SIGKILL");
  };
}

export async function execute(input: ExecuteInput): Promise<MigrationReport> {
  const progress = progressFor(input.output, input.names);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);
  const crashPoint = crashHookFromEnv();
  const deps: EngineDeps = {
    a: input.a,
    b: input.b,
    ...(input.receiver ? { receiver: input.receiver } : {}),
    ceph: input.ceph,
    clock: realClock,
    journal: input.journal,
    poll: { minIntervalMs: input.pollMinMs ?? 250, maxIntervalMs: input.pollMaxMs ?? 5000 },
    onEvent: (e) => progress.event(e),
    signal: abort.signal,
    ...(crashPoint ? { crashPoint } : {}),
  };
  const migration = input.start(deps);
  let interrupted = false;
  try {
    await migration.run();
  } catch (error) {
    if (!abort.signal.aborted) throw error;
    interrupted = true;
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }
  const report = writeReports(migration.state, input.stateDir, input.reportPath, input.apiCalls?.());
  if (input.output === "json") {
    process.stdout.write(`${JSON.stringify({ event: "report", report })}\n`);
  } else {
    process.stdout.write(renderMarkdown(report));
  }
  if (interrupted) throw new Interrupted(report.runId);
  if (!report.ok) throw new VolumesFailed(report, join(input.stateDir, `${report.runId}.report.md`));
  return report;
}

export function writeReports(
  state: RunState,
  stateDir: string,
  reportPath?: string,
  apiCalls?: number,
): MigrationReport {
  const report = buildReport(state, new Date());
  if (apiCalls !== undefined) report.apiCalls = apiCalls;
  const md = renderMarkdown(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(join(stateDir, `${report.runId}.report.md`), md);
  writeFileSync(join(stateDir, `${report.runId}.report.json`), json);
  if (reportPath) {
    writeFileSync(reportPath, md);
    writeFileSync(reportPath.replace(/(\.md)?$/, ".json"), json);
  }
  return report;
}
