// A real headless browser for the e2e suite: Debian's own chromium driven through
// playwright-core (no browser download: there is no internet in CI), each launch with a
// fresh profile that is removed on close.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** CINDERLAB_CHROMIUM points the suite at another chromium binary */
export const CHROMIUM_BIN = process.env.CINDERLAB_CHROMIUM ?? "/usr/bin/chromium";

/** flags for a quiet, sandbox-less run as root in a container: no GPU, no first-run, no phoning home */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface HeadlessBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchChromium(
  options: { width?: number; height?: number } = {},
): Promise<HeadlessBrowser> {
  if (!existsSync(CHROMIUM_BIN)) {
    throw new Error(
      `${CHROMIUM_BIN} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium) or set CINDERLAB_CHROMIUM`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "cinderlab-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_BIN,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: options.width ?? 1600, height: options.height ?? 900 },
      timeout: 30_000,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
