// The parity tier: scenarios written once and run against two targets (the fakes, or the
// real Cinder reference), recorded as normalised exchanges and compared.
import { z } from "zod";

/** One Cinder deployment as a scenario sees it: Cinder's noauth API root, no /v3. */
export interface Deployment {
  name: "a" | "b";
  url: string;
  /** host names this deployment puts in bodies (service hosts), normalised to <host-a>/<host-b> */
  hosts: string[];
}

export interface BackupPoolImage {
  image: string;
  snaps: string[];
}

export interface ParityTarget {
  kind: "reference" | "fakes";
  a: Deployment;
  b: Deployment;
  /** the shared backup pool's images with their snapshots (`rbd ls` + `rbd snap ls`) */
  backupPool(): Promise<BackupPoolImage[]>;
  /** what the recording was made against, written into the snapshot file */
  versions: Record<string, string>;
  pollIntervalMs: number;
  timeoutMs: number;
}

const jsonValue: z.ZodType<unknown> = z.unknown();

/**
 * One thing real Cinder showed at a point that races its services (the first show after a
 * create, a polling): either the answer while the resource was still in a transient status,
 * the terminal status it had already reached (`settled`), or the statuses a polling saw.
 */
export const observationSchema = z.object({
  status: z.number().optional(),
  body: jsonValue.optional(),
  /** the resource had already left the transient statuses: only where it got to is kept */
  settled: z.string().optional(),
  /** polling: the statuses seen, collapsed to distinct consecutive values */
  statuses: z.array(z.string()).optional(),
});
export type Observation = z.infer<typeof observationSchema>;

export const exchangeSchema = z.object({
  cluster: z.enum(["a", "b"]).optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  microversion: z.string().optional(),
  request: jsonValue.optional(),
  status: z.number().optional(),
  body: jsonValue.optional(),
  /**
   * A race point: what is seen here depends on how far real Cinder's scheduler, volume or
   * backup service got. One observation per run; a committed snapshot keeps every distinct
   * one its recordings saw, and a run matches when its observation equals one of them.
   */
  variants: z.array(observationSchema).optional(),
  /** the backup pool's images and snapshots */
  pool: z.array(z.object({ image: z.string(), snaps: z.array(z.string()) })).optional(),
});
export type Exchange = z.infer<typeof exchangeSchema>;

export const snapshotFileSchema = z.object({
  scenario: z.string(),
  description: z.string(),
  recordedAt: z.string(),
  recordedAgainst: z.record(z.string(), z.string()),
  /** how many recordings the race points' variants were gathered from */
  recordings: z.number().int().positive().optional(),
  /** step label → normalised exchange, in the order the scenario ran them */
  steps: z.record(z.string(), exchangeSchema),
});
export type SnapshotFile = z.infer<typeof snapshotFileSchema>;

/**
 * A known, accepted difference: a JSON path under `steps`, `/`-separated, step label first
 * (`*` = any one segment, `**` = the rest).
 */
export interface DeclaredDifference {
  path: string;
  reason: string;
}
