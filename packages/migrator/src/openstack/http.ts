// The one place bytes go over HTTP: undici with TLS verification on unless --insecure,
// an optional CA bundle, JSON in and out, Cinder/Keystone fault bodies turned into
// CinderHttpError, transport failures into ConnectionFailed. Idempotent requests (GET,
// PUT, DELETE) are retried with backoff; POSTs are retried by the engine, which first
// looks for what a lost POST may have created.
import { readFileSync } from "node:fs";
import { Agent, type Dispatcher, request } from "undici";
import { CinderHttpError, ConfigError, ConnectionFailed, isRetryable } from "../errors.js";

export interface HttpOptions {
  cacert?: string;
  insecure?: boolean;
  /** attempts for idempotent requests on 5xx/413/connection errors */
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** counts every request sent; the bench reports API calls per volume from it */
  onRequest?: (method: string, url: string) => void;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export class Http {
  private readonly dispatcher: Dispatcher;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: HttpOptions = {}) {
    let ca: string | undefined;
    if (options.cacert) {
      try {
        ca = readFileSync(options.cacert, "utf8");
      } catch (error) {
        throw new ConfigError(`cannot read CA bundle ${options.cacert}: ${(error as Error).message}`);
      }
    }
    const timeout = options.timeoutMs ?? 60_000;
    this.dispatcher = new Agent({
      connect: { rejectUnauthorized: !options.insecure, ...(ca ? { ca } : {}) },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    this.attempts = options.attempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async send(
    method: Method,
    url: string,
    init: { body?: unknown; headers?: Record<string, string>; retry?: boolean } = {},
  ): Promise<HttpResponse> {
    const retry = init.retry ?? method !== "POST";
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, url, init);
      } catch (error) {
        if (!retry || attempt >= this.attempts || !isRetryable(error)) throw error;
        await this.sleep(backoff(this.baseDelayMs, attempt, error));
      }
    }
  }

  private async once(
    method: Method,
    url: string,
    init: { body?: unknown; headers?: Record<string, string> },
  ): Promise<HttpResponse> {
    this.options.onRequest?.(method, url);
    const headers: Record<string, string> = { accept: "application/json", ...init.headers };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers["content-type"] = "application/json";
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method, headers, body, dispatcher: this.dispatcher });
    } catch (error) {
      throw new ConnectionFailed(url, error);
    }
    const text = await res.body.text();
    let parsed: unknown = text;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (an HTML error page from a proxy, say): keep the text for the message
      }
    }
    if (res.statusCode >= 400) {
      const [faultName, faultMessage] = fault(parsed, text, res.statusCode);
      throw new CinderHttpError(method, url, res.statusCode, faultName, faultMessage);
    }
    return { status: res.statusCode, headers: res.headers, body: parsed };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

export function backoff(baseMs: number, attempt: number, error?: unknown): number {
  const retryAfter = error instanceof CinderHttpError && error.status === 413 ? baseMs : 0;
  const exp = baseMs * 2 ** (attempt - 1);
  // ±20 % jitter keeps parallel volumes from retrying in lockstep
  return Math.max(retryAfter, Math.min(30_000, exp * (0.8 + Math.random() * 0.4)));
}

/** `{"badRequest": {"code": 400, "message": "..."}}` (Cinder) or `{"error": {"message": ...}}` (Keystone). */
function fault(parsed: unknown, text: string, status: number): [string | undefined, string] {
  if (parsed && typeof parsed === "object") {
    const [key, value] = Object.entries(parsed as Record<string, unknown>)[0] ?? [];
    if (key && value && typeof value === "object" && "message" in value) {
      return [key === "error" ? undefined : key, String((value as { message: unknown }).message)];
    }
  }
  return [undefined, text.trim().slice(0, 200) || `HTTP ${status}`];
}
