// The two parts of undici RemoteRbd uses, its connection pool (Agent) and its request
// call, loaded from undici's own modules rather than its index. The index also loads
// fetch, WebSocket, EventSource and caches, and by touching the web globals it pulls in
// Node's bundled copy of undici too: about 120 ms of every CLI start, and a backup's
// `export-diff | import-diff` starts two. The index's `request(url, options)` is this
// same call with the URL split into origin and path.
import { createRequire } from "node:module";
import type { Dispatcher, Agent as UndiciAgent } from "undici";

const require = createRequire(import.meta.url);

export const Agent = require("undici/lib/dispatcher/agent.js") as typeof UndiciAgent;

const requestOn = require("undici/lib/api/api-request.js") as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path">;

/** undici's `request(url, { dispatcher, ...options })`. */
export function request(
  dispatcher: Dispatcher,
  url: string,
  options: RequestOptions,
): Promise<Dispatcher.ResponseData> {
  const parsed = new URL(url);
  return requestOn.call(dispatcher, {
    ...options,
    origin: parsed.origin,
    path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname,
  });
}
