// openrc files are read the way an operator uses them: bash sources the file in an
// empty environment and the exported variables are collected. A file that bash cannot
// source as it is fails here, which is itself something the lab must get right.
import { spawnSync } from "node:child_process";

export function sourceOpenrc(file: string): Record<string, string> {
  const base = { PATH: "/usr/bin:/bin" };
  const run = spawnSync("/bin/bash", ["--noprofile", "--norc", "-c", 'set -e; . "$1"; env -0', "_", file], {
    env: base,
    encoding: "utf8",
  });
  if (run.status !== 0) {
    throw new Error(`bash could not source ${file} (exit ${run.status}): ${run.stderr}`);
  }
  const vars: Record<string, string> = {};
  for (const entry of run.stdout.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    // only what the file set: bash's own variables and our PATH are not openrc content
    if (!/^(OS_|CINDER_)/.test(key)) continue;
    vars[key] = entry.slice(eq + 1);
  }
  return vars;
}
