// Cinder's error bodies. Cinder picks the body key from the HTTP status alone
// (cinder/api/openstack/wsgi.py Fault._fault_names), so the table is keyed by status:
// anything not listed becomes "computeFault", which is why a 406 from version
// negotiation reads {"computeFault": ...}.

export type FaultName =
  | "badRequest"
  | "unauthorized"
  | "forbidden"
  | "itemNotFound"
  | "badMethod"
  | "conflictingRequest"
  | "overLimit"
  | "badMediaType"
  | "notImplemented"
  | "serviceUnavailable"
  | "computeFault";

const FAULT_NAMES: ReadonlyMap<number, FaultName> = new Map([
  [400, "badRequest"],
  [401, "unauthorized"],
  [403, "forbidden"],
  [404, "itemNotFound"],
  [405, "badMethod"],
  [409, "conflictingRequest"],
  [413, "overLimit"],
  [415, "badMediaType"],
  [429, "overLimit"],
  [501, "notImplemented"],
  [503, "serviceUnavailable"],
]);

export function faultNameFor(status: number): FaultName {
  return FAULT_NAMES.get(status) ?? "computeFault";
}

/** An error raised by the HTTP layer itself (versions, parsing, routing), rendered like a model fault. */
export class ApiFault extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiFault";
    this.status = status;
  }
}

export const badRequest = (message: string): ApiFault => new ApiFault(400, message);
export const notFound = (message = "The resource could not be found."): ApiFault =>
  new ApiFault(404, message);

/**
 * Anything that carries an HTTP status and an operator-facing message: the model's
 * CinderFault subclasses and ApiFault. Duck-typed so the HTTP layer does not depend on
 * the model's class identity (two copies of a module must still render alike).
 */
export interface FaultLike {
  status: number;
  message: string;
}

export function isFaultLike(error: unknown): error is FaultLike {
  if (typeof error !== "object" || error === null) return false;
  const candidate = error as { status?: unknown; message?: unknown; faultName?: unknown };
  return (
    typeof candidate.status === "number" &&
    typeof candidate.message === "string" &&
    (error instanceof ApiFault || typeof candidate.faultName === "string")
  );
}

export interface RenderedFault {
  status: number;
  headers: Record<string, string>;
  body: Record<string, { code: number; message: string; retryAfter?: string }>;
}

export function renderFault(status: number, message: string): RenderedFault {
  const name = faultNameFor(status);
  if (status === 413 || status === 429) {
    // Cinder's Fault adds retryAfter to overLimit bodies and a Retry-After header.
    return {
      status,
      headers: { "retry-after": "0" },
      body: { [name]: { code: status, message, retryAfter: "0" } },
    };
  }
  return { status, headers: {}, body: { [name]: { code: status, message } } };
}
