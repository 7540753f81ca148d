// Turns the operator guide's template into the guide: every `console` block's commands run,
// in order, in one bash session against a fresh `fake-cinder lab`, and the block shows each
// command with what it printed (normalised, see normalise.ts). A few directives, HTML
// comments the reader never sees, do what an operator's environment would already have done
// (data in the source volume) or wait where an operator would look again a moment later.
import { join } from "node:path";
import { FakeLab } from "../harness/lab.js";
import { patternBytes } from "../harness/volume-data.js";
import { pollUntil } from "../harness/wait.js";
import { Normaliser } from "./normalise.js";
import { GuideShell } from "./shell.js";

export const TEMPLATE_PATH = "packages/e2e/src/guide/operator-guide.template.md";
export const GUIDE_PATH = "docs/operator-guide.md";
/** run from the repository root after building e2e (npx turbo run build) */
export const REGENERATE = "npm run guide";

/** the source volume's data: a few MiB spread over the first GiB, the same in every run */
export const SEED = [
  { offset: 0, length: 4 * 1024 * 1024, seed: 20170922 },
  { offset: 512 * 1024 * 1024, length: 1024 * 1024, seed: 1495 },
];

export type Block =
  | { kind: "text"; text: string }
  | { kind: "console"; commands: string[] }
  | { kind: "directive"; words: string[] };

/** Splits the template into prose, console blocks (their commands only) and directives. */
export function parseTemplate(template: string): Block[] {
  const blocks: Block[] = [];
  const lines = template.split("\n");
  let text: string[] = [];
  const flush = () => {
    if (text.length > 0) blocks.push({ kind: "text", text: text.join("\n") });
    text = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const directive = /^<!-- guide: (.+) -->$/.exec(line);
    if (directive) {
      flush();
      blocks.push({ kind: "directive", words: (directive[1] ?? "").trim().split(/\s+/) });
      continue;
    }
    if (line !== "```console") {
      text.push(line);
      continue;
    }
    flush();
    const commands: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) {
      const l = lines[i] ?? "";
      if (!l.startsWith("$ ")) continue;
      let command = l.slice(2);
      while (command.endsWith("\\") && i + 1 < lines.length) command += `\n${lines[++i]}`;
      commands.push(command);
    }
    if (i >= lines.length) throw new Error("the template has a ```console block that never ends");
    blocks.push({ kind: "console", commands });
  }
  flush();
  return blocks;
}

export interface GenerateOptions {
  template: string;
  /** bin directories put first on the session's PATH (fake-rbd, cinder-migrate) */
  binDirs: string[];
  /** called before each command, for progress */
  onCommand?: (command: string) => void;
  onDone?: (command: string, ms: number) => void;
}

async function findByName(lab: FakeLab, cluster: "a" | "b", kind: "volume" | "backup", name: string) {
  const c = lab.cluster(cluster);
  const res = await fetch(`${c.cinderNoauth}/v3/${c.projectId}/${kind}s/detail`, {
    headers: { "x-auth-token": `guide:${c.projectId}`, "openstack-api-version": "volume 3.70" },
  });
  if (!res.ok) throw new Error(`listing ${kind}s in ${cluster}: HTTP ${res.status}`);
  const body = (await res.json()) as Record<
    string,
    Array<{ id: string; name: string | null; status: string }>
  >;
  return (body[`${kind}s`] ?? []).find((x) => x.name === name);
}

async function runDirective(lab: FakeLab, words: string[]): Promise<void> {
  const [verb, cluster, ...rest] = words;
  if (cluster !== "a" && cluster !== "b")
    throw new Error(`guide directive ${words.join(" ")}: cluster a or b`);
  if (verb === "seed") {
    const volume = await findByName(lab, cluster, "volume", rest[0] ?? "");
    if (!volume) throw new Error(`guide directive seed: no volume ${rest[0]} in ${cluster}`);
    const rbd = await lab.rbd();
    for (const s of SEED)
      await rbd.writeImage(lab.volumeImage(cluster, volume.id), s.offset, patternBytes(s.length, s.seed));
    return;
  }
  if (verb === "wait") {
    const [kind, name, status] = rest;
    if ((kind !== "volume" && kind !== "backup") || !name || !status)
      throw new Error(`guide directive ${words.join(" ")}: wait <cluster> volume|backup <name> <status>`);
    await pollUntil(
      async () => {
        const found = await findByName(lab, cluster, kind, name);
        if (found?.status.startsWith("error"))
          throw new Error(`${kind} ${name} in ${cluster} went ${found.status}`);
        return found?.status === status ? true : undefined;
      },
      { what: `${kind} ${name} in ${cluster} to be ${status}`, timeoutMs: 30_000 },
    );
    return;
  }
  throw new Error(`unknown guide directive: ${words.join(" ")}`);
}

const HEADER = (template: string) =>
  `<!-- GENERATED from ${template}: edit the template, then regenerate with\n` +
  `     \`${REGENERATE}\`. Every command below ran against \`fake-cinder lab\` and printed\n` +
  "     what is shown (ids and times replaced by stable stand-ins). -->\n";

/** Runs the template's commands against a fresh lab and returns the guide's text. */
export async function generateGuide(options: GenerateOptions): Promise<string> {
  const blocks = parseTemplate(options.template);
  const lab = await FakeLab.start({ delayMs: 20 });
  const shell = new GuideShell(lab.workDir, {
    PATH: [...options.binDirs, "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
    HOME: lab.workDir,
    LANG: "C.UTF-8",
    TZ: "UTC",
  });
  const normalise = new Normaliser();
  const out: string[] = [HEADER(TEMPLATE_PATH)];
  try {
    for (const block of blocks) {
      if (block.kind === "text") out.push(block.text);
      else if (block.kind === "directive") await runDirective(lab, block.words);
      else {
        const shown: string[] = ["```console"];
        for (const command of block.commands) {
          const started = Date.now();
          options.onCommand?.(command);
          const result = await shell.run(command);
          if (result.status !== 0)
            throw new Error(`\`${command}\` exited ${result.status} in the lab:\n${result.output}`);
          options.onDone?.(command, Date.now() - started);
          shown.push(...command.split("\n").map((l, k) => (k === 0 ? `$ ${l}` : l)));
          const output = normalise.text(result.output.replace(/\s+$/, ""));
          if (output) shown.push(output);
        }
        shown.push("```");
        out.push(shown.join("\n"));
      }
    }
  } finally {
    await shell.close();
    await lab.close();
  }
  // a directive leaves the blank lines around it: one is enough
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/\n+$/, "")}\n`;
}

export const guidePaths = (repoRoot: string) => ({
  template: join(repoRoot, TEMPLATE_PATH),
  guide: join(repoRoot, GUIDE_PATH),
  binDirs: [join(repoRoot, "node_modules/.bin")],
});
