import type { Readable, Writable } from "node:stream";
import { type Command, Option } from "commander";
import type { ImageInfo, RbdBackend, SnapRef } from "../backend.js";
import { noServerFailure, resolveTarget, type Target } from "./cephconf.js";
import { CliFailure, cppStrerror, EXIT_EINVAL, failWith } from "./errors.js";
import { renderJson } from "./format.js";
import { Progress } from "./progress.js";
import type { ResolvedSpec } from "./spec.js";

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env?: NodeJS.ProcessEnv;
}

export interface RunOptions extends CliIo {
  /** In-process backend; without it the CLI connects to the configured fake-rbd server. */
  backend?: RbdBackend;
  /** Builds the backend for a server URL (the bin passes RemoteRbd's factory). */
  connect?: (url: string) => RbdBackend;
}

/** The options every verb accepts, as rbd's global options (set before or after the verb). */
export interface GlobalOptions {
  conf?: string;
  cluster?: string;
  id?: string;
  user?: string;
  name?: string;
  keyring?: string;
  fakeRbdUrl?: string;
  debug?: boolean;
}

export type OutputFormat = "plain" | "json";

/** What a verb's action needs: the backend for the chosen cluster and the three streams. */
export class CliContext {
  #backend: RbdBackend | undefined;
  #target: Target | undefined;
  constructor(
    readonly io: Required<CliIo>,
    private readonly options: RunOptions,
    private readonly command: Command,
  ) {}

  get globals(): GlobalOptions {
    return this.command.optsWithGlobals() as GlobalOptions;
  }

  get target(): Target {
    if (!this.#target) {
      const g = this.globals;
      const clientId = g.id ?? g.user ?? g.name?.replace(/^client\./, "");
      this.#target = resolveTarget(
        { fakeRbdUrl: g.fakeRbdUrl, conf: g.conf, cluster: g.cluster, id: clientId },
        this.io.env,
      );
    }
    return this.#target;
  }

  get cluster(): string {
    return this.target.cluster;
  }

  get backend(): RbdBackend {
    if (this.#backend) return this.#backend;
    if (this.options.backend) {
      this.#backend = this.options.backend;
    } else {
      const url = this.target.url;
      if (!url || !this.options.connect) throw noServerFailure(this.target);
      this.#backend = this.options.connect(url);
    }
    return this.#backend;
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  err(text: string): void {
    this.io.stderr.write(text);
  }

  progress(operation: string, noProgress: boolean | undefined): Progress {
    return new Progress(this.io.stderr, operation, noProgress !== true);
  }

  /** rbd checks that the pool exists before anything else and says so in its own words. */
  async openPool(pool: string, defaultPool: boolean, after: readonly string[] = []): Promise<void> {
    const pools = await this.backend.listPools(this.cluster);
    if (pools.includes(pool)) return;
    if (defaultPool) {
      throw new CliFailure(
        [
          `rbd: error opening default pool '${pool}'`,
          "Ensure that the default pool has been created or specify an alternate pool name.",
          ...after,
        ],
        2,
      );
    }
    throw new CliFailure([`rbd: error opening pool '${pool}': ${cppStrerror(2)}`, ...after], 2);
  }

  /**
   * Opens an image the way rbd's utils::init_and_open_image does: pool, then image, then the
   * snapshot context, each failure with rbd's own message.
   */
  async openImage(spec: ResolvedSpec): Promise<ImageInfo> {
    await this.openPool(spec.pool, spec.defaultPool);
    const { snap, defaultPool: _unused, ...ref } = spec;
    let info: ImageInfo;
    try {
      info = await this.backend.imageInfo(ref);
    } catch (error) {
      throw failWith(`error opening image ${spec.image}`, error);
    }
    if (snap !== undefined) await this.requireSnap(spec, snap);
    return info;
  }

  async requireSnap(ref: SnapRef, snap: string): Promise<void> {
    const snaps = await this.backend.listSnaps(imageRef(ref));
    if (!snaps.some((s) => s.name === snap)) {
      throw new CliFailure(`error setting snapshot context: ${cppStrerror(2)}`, 2);
    }
  }

  render(format: FormatOptions, json: () => unknown, plain: () => string): void {
    const chosen = checkFormat(format);
    this.out(chosen === "json" ? renderJson(json(), format.prettyFormat === true) : plain());
  }
}

/** A ref without its snapshot or CLI bookkeeping, for calls that act on the image head. */
export function imageRef(ref: SnapRef | ResolvedSpec): {
  cluster?: string;
  pool: string;
  namespace?: string;
  image: string;
} {
  return {
    pool: ref.pool,
    image: ref.image,
    ...(ref.cluster !== undefined && { cluster: ref.cluster }),
    ...(ref.namespace !== undefined && { namespace: ref.namespace }),
  };
}

export function snapRef(spec: ResolvedSpec): SnapRef {
  return { ...imageRef(spec), ...(spec.snap !== undefined && { snap: spec.snap }) };
}

export interface FormatOptions {
  format?: string;
  prettyFormat?: boolean;
}

export function checkFormat(options: FormatOptions): OutputFormat {
  const format = options.format ?? "plain";
  if (format === "xml") {
    throw new CliFailure("rbd: --format xml is not supported by fake-rbd (use json or plain)", 95);
  }
  if (options.prettyFormat && format !== "json") {
    throw new CliFailure("rbd: --pretty-format only works when --format is json or xml", EXIT_EINVAL);
  }
  return format === "json" ? "json" : "plain";
}

// ---- option declarations shared by the verbs (rbd's add_*_options) ----

export function addPoolOption(cmd: Command): Command {
  return cmd.option("-p, --pool <pool>", "pool name");
}

export function addImageOptions(cmd: Command, withSnap: boolean): Command {
  addPoolOption(cmd)
    .option("--namespace <namespace>", "namespace name")
    .option("--image <image>", "image name");
  if (withSnap) cmd.option("--snap <snap>", "snapshot name");
  return cmd;
}

export function addFormatOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--format <format>", "output format (plain, json [or xml: not supported by fake-rbd])")
        .choices(["plain", "json", "xml"])
        .default(undefined),
    )
    .option("--pretty-format", "pretty formatting (json and xml)");
}

export function addNoProgressOption(cmd: Command): Command {
  return cmd.option("--no-progress", "disable progress output");
}

/** How a verb file hands its action to the program: the program builds the context. */
export type Verb = (cmd: Command, run: (ctx: CliContext) => Promise<void>) => Command;

/** The values addImageOptions declares. */
export interface SpecOptionValues {
  pool?: string;
  namespace?: string;
  image?: string;
  snap?: string;
}
