import type { MigrationReport } from "./report.js";

const seconds = (ms?: number) => (ms === undefined ? "" : `${(ms / 1000).toFixed(1)} s`);
const short = (s?: string) => (s ? s.slice(0, 8) : "—");

export function renderMarkdown(r: MigrationReport): string {
  const lines: string[] = [];
  lines.push(`# cinder-migrate run ${r.runId}`, "");
  lines.push(`From **${r.from}** to **${r.to}**, started ${r.startedAt}, reported ${r.finishedAt}.`, "");
  const t = r.totals;
  lines.push(
    `**${r.ok ? "All volumes migrated" : "NOT all volumes migrated"}**: ${t.migrated}/${t.volumes} migrated, ${t.failed} failed, ${t.pending} pending; content verified for ${t.verified}.`,
    "",
  );
  lines.push(
    "| source volume | name | GB | outcome | backup (A = B id) | volume in B | verification | sha256 | time |",
  );
  lines.push("|---|---|---|---|---|---|---|---|---|");
  for (const v of r.volumes) {
    lines.push(
      `| ${v.sourceVolumeId} | ${v.name ?? ""} | ${v.sizeGb ?? ""} | ${v.outcome}${v.currentStep ? ` (at ${v.currentStep})` : ""} | ${v.ids.a.backup ?? "—"} | ${v.ids.b.volume ?? "—"} | ${v.verification} | ${short(v.checksums?.source)} | ${seconds(v.durationMs)} |`,
    );
  }
  const failed = r.volumes.filter((v) => v.reason);
  if (failed.length) {
    lines.push("", "## Failures", "");
    for (const v of failed) lines.push(`- ${v.sourceVolumeId} (${v.name ?? "unnamed"}): ${v.reason}`);
  }
  lines.push("", "## Steps", "");
  for (const v of r.volumes) {
    const steps = v.steps
      .map((s) => `${s.step} ${s.status === "done" ? seconds(s.durationMs) : s.status}`)
      .join(", ");
    lines.push(`- ${v.sourceVolumeId}: ${steps || "not started"}`);
  }
  lines.push("", "## Left behind", "");
  if (r.leftBehind.length === 0) lines.push("Nothing.");
  for (const o of r.leftBehind) {
    lines.push(`- ${o.kind} ${o.id} in ${o.side} (volume ${o.volume}): ${o.why}`, `  \`${o.command}\``);
  }
  lines.push("");
  return lines.join("\n");
}
