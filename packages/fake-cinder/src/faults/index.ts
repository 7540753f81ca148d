// Fault rules as data. The model consults a FaultPlan at each operation; a rule matches by
// operation (and optionally cluster, volume or backup id) and applies to the next `count`
// matching operations. The API's admin endpoint and the CLI flags only build these rules.
import { z } from "zod";

export const FAULT_OPERATIONS = [
  "volume.create",
  "volume.delete",
  "volume.extend",
  "volume.attach",
  "snapshot.create",
  "snapshot.delete",
  "backup.create",
  "backup.delete",
  "backup.restore",
  "backup.export",
  "backup.import",
  "backup.reset_status",
] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

export const faultActionSchema = z.discriminatedUnion("kind", [
  /** the operation's async step ends in error (volume error / backup error) with this fail_reason */
  z.object({ kind: z.literal("fail"), failReason: z.string().default("An unknown exception occurred.") }),
  /** the operation stays in its transitional status (creating, backing-up, ...) until reset */
  z.object({ kind: z.literal("stall") }),
  /** the call itself is refused with this HTTP status (rendered as Cinder's error body) */
  z.object({
    kind: z.literal("http"),
    status: z.number().int().min(400).max(599),
    message: z.string().optional(),
  }),
  /** the operation's async step takes ms longer */
  z.object({ kind: z.literal("latency"), ms: z.number().int().min(0) }),
  /** the backup service is seen as down for the matching operations */
  z.object({ kind: z.literal("serviceDown") }),
]);
export type FaultAction = z.infer<typeof faultActionSchema>;

export const faultRuleSchema = z.object({
  operation: z.enum(FAULT_OPERATIONS),
  cluster: z.string().optional(),
  volumeId: z.string().optional(),
  backupId: z.string().optional(),
  /** how many matching operations the rule applies to; omitted = every one until reset */
  count: z.number().int().min(1).optional(),
  action: faultActionSchema,
});
export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema> & { id: number; remaining: number | null };

export interface FaultTarget {
  cluster?: string;
  volumeId?: string | null;
  backupId?: string | null;
}

const DEFAULT_HTTP_MESSAGES: Record<number, string> = {
  413: "Injected fault: over limit.",
  500: "The server has either erred or is incapable of performing the requested operation.",
  503: "Injected fault: service unavailable.",
};
export const defaultHttpFaultMessage = (status: number): string =>
  DEFAULT_HTTP_MESSAGES[status] ?? `Injected fault: HTTP ${status}.`;

export class FaultPlan {
  #rules: FaultRule[] = [];
  #nextId = 1;

  /** validates and adds a rule; returns it with its id */
  add(input: FaultRuleInput): FaultRule {
    const parsed = faultRuleSchema.parse(input);
    const rule: FaultRule = { ...parsed, id: this.#nextId++, remaining: parsed.count ?? null };
    this.#rules.push(rule);
    return rule;
  }

  remove(id: number): boolean {
    const before = this.#rules.length;
    this.#rules = this.#rules.filter((r) => r.id !== id);
    return this.#rules.length !== before;
  }

  list(): readonly FaultRule[] {
    return this.#rules;
  }

  reset(): void {
    this.#rules = [];
  }

  /**
   * The first rule of one of `kinds` matching op and target; consumes one use of it.
   * Rules are tried in the order they were added.
   */
  take<K extends FaultAction["kind"]>(
    op: FaultOperation,
    target: FaultTarget,
    kinds: readonly K[],
  ): Extract<FaultAction, { kind: K }> | undefined {
    for (const rule of this.#rules) {
      if (rule.operation !== op || !(kinds as readonly string[]).includes(rule.action.kind)) continue;
      if (rule.cluster !== undefined && rule.cluster !== target.cluster) continue;
      if (rule.volumeId !== undefined && rule.volumeId !== target.volumeId) continue;
      if (rule.backupId !== undefined && rule.backupId !== target.backupId) continue;
      if (rule.remaining !== null) {
        rule.remaining -= 1;
        if (rule.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== rule);
      }
      return rule.action as Extract<FaultAction, { kind: K }>;
    }
    return undefined;
  }
}
