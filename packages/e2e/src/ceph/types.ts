import type { Readable } from "node:stream";

/** Which real Ceph the tier runs against; see chooseProvider(). */
export type CephProviderName = "testcontainers" | "local" | "external";

export interface CephStartOptions {
  /** Pools the tests need; throwaway providers create them, `external` requires them to exist. */
  pools?: readonly string[];
  /**
   * Run a ceph-mgr too. rbd's data paths do not need one (mgr-backed commands such as
   * `rbd perf` and `ceph -s` pool statistics do). Default: the provider's (testcontainers
   * starts one, local does not); an external cluster has what it has.
   */
  manager?: boolean;
}

export interface RbdOptions {
  /** Bytes fed to rbd's stdin (for `import -`, `import-diff -`). */
  input?: Buffer | Readable;
  /** Kill rbd after this long; a hung cluster must fail a test, not hang the suite. */
  timeoutMs?: number;
}

export interface RbdResult {
  args: readonly string[];
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * A running Ceph cluster the tests may use. Everything a client needs is a file on the
 * host: pass `clientEnv()` to a child process (fake-cinder, the migrator) and its `rbd`
 * talks to this cluster.
 */
export interface StartedCeph extends AsyncDisposable {
  readonly provider: CephProviderName;
  readonly confPath: string;
  readonly keyringPath: string;
  /** cephx user without the `client.` prefix, as `rbd --id` takes it. */
  readonly clientName: string;
  readonly pools: readonly string[];
  /** A name unique to this start, so images on a shared cluster never collide or leak. */
  scratchName(base: string): string;
  /** Runs the real `rbd` against this cluster; never throws for a non-zero exit. */
  rbd(args: readonly string[], options?: RbdOptions): Promise<RbdResult>;
  /** Environment that points a child process's ceph clients at this cluster. */
  clientEnv(): Record<string, string>;
  stop(): Promise<void>;
}

export interface CephProvider {
  readonly name: CephProviderName;
  /** Why start() cannot work on this machine (cheap checks only), or undefined. */
  unavailableReason(): Promise<string | undefined>;
  start(options?: CephStartOptions): Promise<StartedCeph>;
}

export type CephProviderErrorCode =
  | "PROVIDER_UNKNOWN"
  | "PROVIDER_UNAVAILABLE"
  | "START_FAILED"
  | "CLUSTER_UNREACHABLE"
  | "CONFIG_MISSING"
  | "POOL_MISSING";

/** Why a real Ceph could not be provided, with what an operator needs to fix it. */
export class CephProviderError extends Error {
  override readonly name = "CephProviderError";
  constructor(
    readonly code: CephProviderErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
