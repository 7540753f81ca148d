// The fake-rbd demo (`npm run demo`): what Cinder's ceph backup driver does with rbd, run
// with the fake-rbd CLI against a fake-rbd server holding two clusters. A full backup
// (export-diff | import-diff), an incremental one (--from-snap), then the proof: the sha256
// of `export` is the same on both sides. Exits 0 only when the bytes match.
import { createHash } from "node:crypto";
import { PassThrough, Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runRbdCli } from "./cli/run.js";
import { LocalRbd } from "./local.js";
import { RemoteRbd } from "./remote.js";
import { startRbdServer } from "./server/start.js";

const MiB = 1024 * 1024;
const SOURCE = "volumes/volume-demo";
const BACKUP = "backups/volume-demo.backup";

export interface DemoResult {
  ok: boolean;
  sourceSha256: string;
  backupSha256: string;
}

type Print = (text: string) => void;

/** A sink that collects bytes (for sha256) or prints text. */
function collector(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { stream, bytes: () => Buffer.concat(chunks) };
}

/** Recognisable content: every 512-byte sector says what it is and where it lives. */
function sectors(label: string, offset: number, length: number): Buffer {
  const data = Buffer.alloc(length);
  for (let at = 0; at < length; at += 512) {
    data.write(`cinderlab demo: ${label} at byte ${offset + at}\n`.padEnd(512, "."), at, "latin1");
  }
  return data;
}

export async function runDemo(print: Print = (t) => process.stdout.write(t)): Promise<DemoResult> {
  const server = await startRbdServer({ backend: new LocalRbd(), clusters: ["ceph", "backup"] });
  const client = new RemoteRbd({ url: server.url });
  const remotes: RemoteRbd[] = [client];
  const connect = (url: string) => {
    const remote = new RemoteRbd({ url });
    remotes.push(remote);
    return remote;
  };

  /** Runs one fake-rbd command in-process against the server, echoing it like a shell would. */
  const rbd = async (
    argv: string[],
    io: { stdin?: Readable; stdout?: Writable; quiet?: boolean } = {},
  ): Promise<void> => {
    if (!io.quiet) print(`$ fake-rbd ${argv.join(" ")}\n`);
    const text = collector();
    const errors = collector();
    const status = await runRbdCli(argv, {
      stdin: io.stdin ?? Readable.from([]),
      stdout: io.stdout ?? text.stream,
      stderr: errors.stream,
      env: { FAKE_RBD_URL: server.url },
      connect,
    });
    if (!io.stdout && text.bytes().length > 0) print(indent(text.bytes().toString("utf8")));
    if (status !== 0) {
      throw new Error(
        `fake-rbd ${argv.join(" ")} exited ${status}: ${errors.bytes().toString("utf8").trim()}`,
      );
    }
  };

  /** `a | b`: both commands run at once, joined by a pipe, as a shell pipeline. */
  const pipe = async (left: string[], right: string[]) => {
    print(`$ fake-rbd ${left.join(" ")} \\\n    | fake-rbd ${right.join(" ")}\n`);
    const wire = new PassThrough();
    await Promise.all([
      rbd(left, { stdout: wire, quiet: true }).finally(() => wire.end()),
      rbd(right, { stdin: wire, quiet: true }),
    ]);
  };

  const sha256 = async (argv: string[]) => {
    const hash = createHash("sha256");
    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done();
      },
    });
    await rbd(argv, { stdout: sink });
    const digest = hash.digest("hex");
    print(indent(`sha256 ${digest}  (${bytes} bytes)\n`));
    return digest;
  };

  const write = async (label: string, offset: number, length: number) => {
    print(`# a client writes ${length} bytes ("${label}") at offset ${offset}\n`);
    await client.writeImage(
      { cluster: "ceph", pool: "volumes", image: "volume-demo" },
      offset,
      sectors(label, offset, length),
    );
  };

  try {
    print(`fake-rbd server on ${server.url} with clusters "ceph" (volumes) and "backup" (backups)\n\n`);
    print("## 1. Pools and a 64 MiB volume (only the bytes written take memory)\n");
    await rbd(["pool", "create", "volumes"]);
    await rbd(["pool", "init", "volumes"]);
    await rbd(["--cluster", "backup", "pool", "create", "backups"]);
    await rbd(["--cluster", "backup", "pool", "init", "backups"]);
    await rbd(["create", "--size", "64M", SOURCE]);
    await write("first write", 0, 4 * MiB);
    await write("far away", 40 * MiB, 64 * 1024);
    await rbd(["info", SOURCE]);

    print("\n## 2. Full backup: snapshot, then export-diff | import-diff into the backup cluster\n");
    await rbd(["snap", "create", "--no-progress", `${SOURCE}@backup.1`]);
    await rbd(["--cluster", "backup", "create", "--size", "64M", BACKUP]);
    await pipe(
      ["export-diff", "--no-progress", `${SOURCE}@backup.1`, "-"],
      ["--cluster", "backup", "import-diff", "--no-progress", "-", BACKUP],
    );
    await rbd(["--cluster", "backup", "snap", "ls", BACKUP]);

    print("\n## 3. More writes, then an incremental backup (--from-snap)\n");
    await write("second write", 2 * MiB, 1 * MiB);
    await write("near the end", 60 * MiB, 128 * 1024);
    await rbd(["snap", "create", "--no-progress", `${SOURCE}@backup.2`]);
    await rbd(["diff", "--from-snap", "backup.1", `${SOURCE}@backup.2`]);
    await pipe(
      ["export-diff", "--no-progress", "--from-snap", "backup.1", `${SOURCE}@backup.2`, "-"],
      ["--cluster", "backup", "import-diff", "--no-progress", "-", BACKUP],
    );
    await rbd(["--cluster", "backup", "snap", "ls", BACKUP]);
    await rbd(["--cluster", "backup", "du", BACKUP]);

    print("\n## 4. Proof: the same bytes on both sides\n");
    const sourceSha256 = await sha256(["export", "--no-progress", `${SOURCE}@backup.2`, "-"]);
    const backupSha256 = await sha256([
      "--cluster",
      "backup",
      "export",
      "--no-progress",
      `${BACKUP}@backup.2`,
      "-",
    ]);
    const ok = sourceSha256 === backupSha256;
    print(
      ok
        ? "\nOK: the backup cluster holds exactly the volume's bytes at backup.2.\n"
        : "\nFAILED: the backup differs from the volume.\n",
    );
    return { ok, sourceSha256, backupSha256 };
  } finally {
    await Promise.all(remotes.map((r) => r.close()));
    await server.close();
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => (line === "" ? line : `    ${line}`))
    .join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  runDemo()
    .then((result) => {
      process.stdout.write(`(demo took ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      process.exitCode = result.ok ? 0 : 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
