import type { SnapRef } from "../backend.js";
import { invalidArgument } from "./errors.js";

// rbd's image specs: `[pool/[namespace/]]image[@snap]`, completed by --pool, --namespace,
// --image and --snap when the positional spec leaves a part out (the positional wins when
// both are given). The pool defaults to "rbd", which rbd reports differently when it is
// missing ("error opening default pool 'rbd'"), so the spec remembers where the pool came from.

const SPEC = /^(?:([^/@]+)\/(?:([^/@]+)\/)?)?([^/@]+)(?:@([^/@]+))?$/;

export const DEFAULT_POOL = "rbd";

export type SnapPresence = "none" | "permitted" | "required";

export interface SpecOptions {
  pool?: string | undefined;
  namespace?: string | undefined;
  image?: string | undefined;
  snap?: string | undefined;
}

export interface ResolvedSpec extends SnapRef {
  /** true when neither the spec nor --pool named the pool */
  defaultPool: boolean;
}

export function parseSpec(spec: string): { pool?: string; namespace?: string; image: string; snap?: string } {
  const match = SPEC.exec(spec);
  if (!match) throw invalidArgument(`invalid spec '${spec}'`);
  const [, pool, namespace, image = "", snap] = match;
  return {
    image,
    ...(pool !== undefined && { pool }),
    ...(namespace !== undefined && { namespace }),
    ...(snap !== undefined && { snap }),
  };
}

export function resolveImageSpec(
  spec: string | undefined,
  options: SpecOptions,
  snapPresence: SnapPresence,
  cluster: string,
): ResolvedSpec {
  const parsed = spec === undefined ? undefined : parseSpec(spec);
  const image = parsed ? parsed.image : options.image;
  const snap = parsed ? parsed.snap : options.snap;
  const explicitPool = parsed?.pool ?? options.pool;
  const namespace = parsed?.namespace ?? options.namespace;
  if (!image) throw invalidArgument("image name was not specified");
  if (snapPresence === "none" && snap) {
    throw invalidArgument("snapshot name specified for a command that doesn't use it");
  }
  if (snapPresence === "required" && !snap) throw invalidArgument("snapshot name was not specified");
  return {
    cluster,
    pool: explicitPool ?? DEFAULT_POOL,
    image,
    defaultPool: explicitPool === undefined,
    ...(namespace !== undefined && { namespace }),
    ...(snap !== undefined && { snap }),
  };
}

/** Pool-only verbs (`ls`, `pool init`, `du` without an image): positional, then --pool, then "rbd". */
export function resolvePool(
  positional: string | undefined,
  option: string | undefined,
): { pool: string; defaultPool: boolean } {
  const named = positional ?? option;
  if (named?.includes("@")) throw invalidArgument(`invalid spec '${named}'`);
  const pool = named?.split("/")[0];
  return pool ? { pool, defaultPool: false } : { pool: DEFAULT_POOL, defaultPool: true };
}
