// The real `cinder` CLI as the tests drive it: one openrc environment, tables parsed,
// failures parsed into Cinder's message and HTTP code, and status waits that poll
// `cinder show`/`backup-show` (the CLI itself, as an operator would) instead of sleeping.
import { CINDER_BIN, CliFailed, type CliResult, describeRun, runCli } from "../../src/harness/clients.js";
import {
  type CinderErrorLine,
  parseCinderError,
  parseListTable,
  parsePropertyTable,
} from "../../src/harness/tables.js";
import { pollUntil } from "../../src/harness/wait.js";

export class CinderCli {
  constructor(
    readonly env: Record<string, string>,
    readonly label: string,
  ) {}

  async run(...args: string[]): Promise<CliResult> {
    return await runCli(CINDER_BIN, args, this.env);
  }

  async ok(...args: string[]): Promise<CliResult> {
    const r = await this.run(...args);
    if (r.code !== 0) throw new CliFailed(r);
    return r;
  }

  /** a command that prints one Property/Value table */
  async props(...args: string[]): Promise<Record<string, string>> {
    const r = await this.ok(...args);
    return parsePropertyTable(r.stdout);
  }

  async list(...args: string[]): Promise<Record<string, string>[]> {
    const r = await this.ok(...args);
    return parseListTable(r.stdout);
  }

  /** a command that must fail the way cinderclient reports an HTTP error */
  async refused(...args: string[]): Promise<CinderErrorLine & { result: CliResult }> {
    const r = await this.run(...args);
    const parsed = parseCinderError(r.stderr);
    if (r.code !== 1 || parsed === undefined) {
      throw new Error(`expected cinder to fail with an HTTP error: ${describeRun(r)}`);
    }
    return { ...parsed, result: r };
  }

  /** polls `cinder <showCommand> <id>` until `status` is reached; a status in `abortOn` fails at once */
  async waitStatus(
    showCommand: "show" | "backup-show",
    id: string,
    status: string,
    abortOn: string[] = ["error"],
  ): Promise<Record<string, string>> {
    let lastSeen: Record<string, string> | undefined;
    return await pollUntil(
      async () => {
        lastSeen = await this.props(showCommand, id);
        if (lastSeen.status === status) return lastSeen;
        return undefined;
      },
      {
        what: `${this.label} ${showCommand} ${id} to be ${status}`,
        timeoutMs: 30_000,
        intervalMs: 0,
        abort: () =>
          lastSeen?.status !== undefined && abortOn.includes(lastSeen.status) && lastSeen.status !== status
            ? new Error(
                `${this.label} ${showCommand} ${id} went to ${lastSeen.status}: ${JSON.stringify(lastSeen)}`,
              )
            : undefined,
      },
    );
  }
}

/** a `req-<uuid>` as Cinder's request-id middleware makes them */
export const REQUEST_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
