// A Cinder route: registered twice, under /v3/{project_id} and /v3, because Cinder's router
// accepts both URL forms at every microversion.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { CinderCloud } from "../../model/index.js";
import { ApiFault, notFound } from "../faults.js";
import type { ListDocumentCache, RowTextCache } from "../row-text.js";
import { stateOf } from "./context.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface CinderRoute {
  method: HttpMethod;
  /** path below /v3[/{project_id}], e.g. "/backups/:backupId" */
  path: string;
  /** the microversion that introduced the method; below it Cinder answers 404 */
  minVersion?: number;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> | unknown;
}

export interface RouteDeps {
  cloud: CinderCloud;
  /** the rendered views of rows, for the hot reads (show, lists) */
  rowTexts: RowTextCache;
  /** the last bytes of each list document */
  listDocuments: ListDocumentCache;
}

/** Cinder's 404 for a method that does not exist at the requested microversion. */
export function requireVersion(request: FastifyRequest, minor: number): void {
  if (!stateOf(request).version.atLeast(minor)) throw notFound();
}

/** The body of an action POST: a one-key object naming the action. */
export function actionOf(body: unknown): { name: string; args: unknown } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ApiFault(400, "Malformed request body");
  }
  // Cinder's action_peek_json: exactly one key ("too many body keys" is a malformed body)
  const keys = Object.keys(body);
  const name = keys[0];
  if (name === undefined || keys.length !== 1) throw new ApiFault(400, "Malformed request body");
  return { name, args: (body as Record<string, unknown>)[name] };
}

export function noSuchAction(name: string): ApiFault {
  return new ApiFault(
    400,
    `There is no such action: ${name}. Verify the request body and Content-Type header and try again.`,
  );
}
