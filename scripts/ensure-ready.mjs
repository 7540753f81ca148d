// Makes a fresh clone runnable: installs npm packages when the lock file changed
// since the last install, then builds every package (turbo caches unchanged ones).
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const stamp = `${root}node_modules/.cinderlab-lock-hash`;
const lockHash = createHash("sha256")
  .update(readFileSync(`${root}package-lock.json`))
  .digest("hex");
const run = (cmd) => execSync(cmd, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });

if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lockHash) {
  console.error("cinderlab: installing npm packages (npm ci)…");
  run("npm ci --no-audit --no-fund");
  writeFileSync(stamp, lockHash);
}
console.error("cinderlab: building packages…");
run("npx turbo run build --output-logs=errors-only");

run("node scripts/link-bins.mjs");
