// `fake-cinder`: serve one fake cluster, or a lab of two sharing a backup Ceph.
// Options parse through zod; every failure is one line on stderr and a non-zero exit
// (a stack trace only with --debug). bin.ts is the only place that sets the exit code.
import { Command, CommanderError, Option } from "commander";
import { z } from "zod";
import { checkExercise, ExerciseCheckFailed, plantExercise } from "./exercises/cli.js";
import { faultRuleSchema } from "./faults/index.js";
import { type Lab, type LabClusterOptions, startLab, writeJsonAtomically } from "./lab.js";
import { addRealCephOptions, RealCephOptionError, realCephFields, realCephLabInput } from "./real-ceph.js";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = "CliError";
  }
}

const port = z.coerce
  .number({ error: "a TCP port is a whole number from 0 to 65535" })
  .int("a TCP port is a whole number from 0 to 65535")
  .min(0, "a TCP port is a whole number from 0 to 65535")
  .max(65535, "a TCP port is a whole number from 0 to 65535");
const release = z.enum(["zed", "pike"]);

const common = z.object({
  host: z.string().min(1),
  openrcDir: z.string().optional(),
  readyFile: z.string().optional(),
  delayMs: z.coerce.number().int().min(0).optional(),
  tokenTtl: z.coerce.number().int().min(1).optional(),
  backupPool: z.string().min(1),
  rbdUrl: z.url().optional(),
  rbdPort: port.optional(),
  serveRbd: z.boolean(),
  control: z.boolean(),
  fault: z.array(z.string()).default([]),
  json: z.boolean().default(false),
  clock: z.enum(["real", "manual"]),
  log: z.boolean().default(false),
  debug: z.boolean().default(false),
  ...realCephFields,
});

const serveOptions = common.extend({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "a cluster name is lowercase letters, digits and dashes"),
  release,
  volumePool: z.string().min(1),
  port: port.optional(),
  keystonePort: port.optional(),
  noauthPort: port.optional(),
});

const labOptions = common.extend({
  releaseA: release,
  releaseB: release,
  exercise: z.string().optional(),
  check: z.boolean().default(false),
  view: z.boolean(),
  viewPort: port.optional(),
});

function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const flag =
    issue?.path[0] === undefined
      ? ""
      : `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: `;
  throw new CliError(`invalid option ${flag}${issue?.message ?? "bad value"}`);
}

function parseFaults(texts: string[]) {
  return texts.map((text) => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliError(
        `--fault takes a JSON rule, e.g. '{"operation":"backup.create","count":1,"action":{"kind":"fail"}}'; got ${text}`,
      );
    }
    const rule = faultRuleSchema.safeParse(json);
    if (!rule.success) {
      const issue = rule.error.issues[0];
      throw new CliError(`--fault ${text}: ${issue?.path.join(".") || "rule"}: ${issue?.message}`);
    }
    return rule.data;
  });
}

function addCommonOptions(command: Command): Command {
  return addRealCephOptions(command)
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--openrc-dir <dir>", "write <cluster>-{admin,member,noauth}.openrc files here")
    .option("--ready-file <file>", "write the endpoints as JSON here (atomically) once every server listens")
    .option("--delay-ms <ms>", "every asynchronous step (creating→available, ...) takes this long")
    .option("--token-ttl <seconds>", "Keystone token lifetime (default 3600)")
    .option("--backup-pool <pool>", "the shared backup pool (backup_ceph_pool)", "backups")
    .option("--rbd-url <url>", "use a running fake-rbd server as the Ceph instead of an in-process one")
    .option("--rbd-port <port>", "port of the fake-rbd server this command starts (default: any free port)")
    .option("--no-serve-rbd", "keep the fake Ceph in-process only (no fake-rbd server)")
    .option("--no-control", "do not serve the /_fake control plane")
    .option(
      "--fault <json>",
      'a fault rule (repeatable), e.g. \'{"operation":"backup.create","action":{"kind":"fail"}}\'',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addOption(
      new Option(
        "--clock <clock>",
        "real: statuses move after the delays; manual: only on POST /_fake/clock/advance",
      )
        .choices(["real", "manual"])
        .default("real"),
    )
    .option("--json", "print the endpoints as one JSON line instead of openrc text")
    .option("--log", "log requests (pino, JSON lines on stdout; tokens and passwords are never logged)")
    .option("--debug", "print stack traces on errors");
}

type FaultRules = ReturnType<typeof parseFaults>;

async function run(lab: Lab, opts: z.output<typeof common>, faults: FaultRules, io: CliIo): Promise<void> {
  try {
    await announce(lab, opts, faults, io);
    await io.waitForStop();
  } finally {
    await lab.close();
  }
}

async function announce(
  lab: Lab,
  opts: z.output<typeof common>,
  faults: FaultRules,
  io: CliIo,
): Promise<void> {
  for (const rule of faults) {
    for (const c of Object.values(lab.clusters)) {
      if (rule.cluster === undefined || rule.cluster === c.name) c.faults.add(rule);
    }
  }
  const paths = opts.openrcDir ? await lab.writeOpenrc(opts.openrcDir) : undefined;
  const description = lab.describe(paths);
  if (opts.json) {
    io.out(JSON.stringify(description));
  } else {
    for (const c of Object.values(lab.clusters)) {
      io.out(
        `# cluster ${c.name} (${c.release}): Keystone ${c.authUrl}  Cinder ${c.volumeEndpoint}  noauth ${c.noauthUrl}`,
      );
      const files = paths?.[c.name];
      if (files) {
        for (const [persona, file] of Object.entries(files)) io.out(`#   ${persona}: source ${file}`);
      } else {
        io.out(c.openrc("admin"));
      }
    }
    io.out(
      `# fake Ceph: ${lab.rbdUrl ?? "in-process only"}; backup pool ${lab.backupPool} (cluster ${lab.backupCluster})`,
    );
    if (lab.viewUrl) io.out(`# live view: ${lab.viewUrl}/`);
  }
  if (opts.readyFile) await writeJsonAtomically(opts.readyFile, description);
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** resolves when the process should shut down (SIGINT/SIGTERM in bin.ts) */
  waitForStop(): Promise<void>;
}

export function buildProgram(io: CliIo): Command {
  const program = new Command("fake-cinder")
    .description("A fake Cinder 21 (Zed) with Keystone v3 over a fake Ceph, for rehearsing volume migrations")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError(false);

  addCommonOptions(
    program
      .command("serve")
      .description("serve one fake cluster: Keystone, Cinder (Keystone auth) and Cinder (noauth)")
      .option("--name <name>", "cluster name (also its Ceph cluster name)", "a")
      .addOption(
        new Option("--release <release>", "Cinder behaviour profile").choices(["zed", "pike"]).default("zed"),
      )
      .option("--volume-pool <pool>", "the volume pool in the cluster's Ceph", "volumes")
      .option("--port <port>", "Cinder port (Keystone auth); 0 = any free port", "8776")
      .option("--keystone-port <port>", "Keystone port; 0 = any free port", "5000")
      .option("--noauth-port <port>", "Cinder port with noauth; 0 = any free port", "0"),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseOptions(serveOptions, raw);
    const faults = parseFaults(opts.fault);
    const cluster: LabClusterOptions = {
      name: opts.name,
      release: opts.release,
      volumePool: opts.volumePool,
    };
    if (opts.port !== undefined) cluster.cinderPort = opts.port;
    if (opts.keystonePort !== undefined) cluster.keystonePort = opts.keystonePort;
    if (opts.noauthPort !== undefined) cluster.noauthPort = opts.noauthPort;
    const lab = await startLab({ ...labInput(opts), clusters: [cluster] });
    await run(lab, opts, faults, io);
  });

  addCommonOptions(
    program
      .command("lab")
      .description("serve clusters a and b, each with its own volume Ceph, sharing one backup Ceph")
      .addOption(
        new Option("--release-a <release>", "cluster a's profile").choices(["zed", "pike"]).default("zed"),
      )
      .addOption(
        new Option("--release-b <release>", "cluster b's profile").choices(["zed", "pike"]).default("zed"),
      )
      .option("--exercise <name>", "plant an operator exercise's fault and print its briefing")
      .option(
        "--check",
        "with --exercise and --ready-file: judge the running lab's state instead of starting one",
      )
      .option("--view-port <port>", "port of the live web view (default: any free port)")
      .option("--no-view", "do not serve the live web view"),
  ).action(async (raw: Record<string, unknown>) => {
    const opts = parseOptions(labOptions, raw);
    if (opts.check) {
      if (!opts.exercise) throw new CliError("--check needs --exercise NAME");
      return checkExercise(opts.exercise, opts.readyFile, io);
    }
    const faults = parseFaults(opts.fault);
    const lab = await startLab({
      ...labInput(opts),
      view: opts.view,
      ...(opts.viewPort === undefined ? {} : { viewPort: opts.viewPort }),
      clusters: [
        { name: "a", release: opts.releaseA },
        { name: "b", release: opts.releaseB },
      ],
    });
    if (opts.exercise)
      await plantExercise(lab, opts.exercise, opts.readyFile, io).catch(async (error) => {
        await lab.close();
        throw error;
      });
    await run(lab, opts, faults, io);
  });
  return program;
}

function labInput(opts: z.output<typeof common>) {
  let realCeph: ReturnType<typeof realCephLabInput>;
  try {
    realCeph = realCephLabInput(opts);
  } catch (error) {
    if (error instanceof RealCephOptionError) throw new CliError(error.message);
    throw error;
  }
  return {
    ...realCeph,
    host: opts.host,
    backupPool: opts.backupPool,
    serveRbd: opts.serveRbd && opts.rbdUrl === undefined,
    control: opts.control,
    logger: opts.log,
    clock: opts.clock,
    ...(opts.rbdUrl === undefined ? {} : { rbdUrl: opts.rbdUrl }),
    ...(opts.rbdPort === undefined ? {} : { rbdPort: opts.rbdPort }),
    ...(opts.delayMs === undefined ? {} : { delayMs: opts.delayMs }),
    ...(opts.tokenTtl === undefined ? {} : { tokenTtlMs: opts.tokenTtl * 1000 }),
  };
}

/** Runs the CLI; returns the exit code (0 on success and on --help). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  const debug = argv.includes("--debug");
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander already printed its one line (or the help)
      return error.exitCode === 0 || error.code === "commander.helpDisplayed" ? 0 : 2;
    }
    if (error instanceof ExerciseCheckFailed) return 1;
    if (error instanceof CliError) {
      io.err(`fake-cinder: ${error.message}`);
      return error.exitCode;
    }
    const err = error as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE" || err.code === "EACCES" || err.code === "EADDRNOTAVAIL") {
      io.err(`fake-cinder: cannot listen: ${err.message}`);
      return 1;
    }
    io.err(`fake-cinder: ${err.message ?? String(error)}`);
    if (debug && err.stack) io.err(err.stack);
    return 1;
  }
}
