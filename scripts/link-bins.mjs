// npm links a workspace's bin only if its target exists at install time, and the targets are
// build outputs; turbo also restores cached build outputs without their execute bit. So,
// after any build: link fake-rbd, fake-cinder and cinder-migrate, and make them executable.
import { execSync } from "node:child_process";
import { chmodSync, existsSync, realpathSync } from "node:fs";

const root = new URL("..", import.meta.url).pathname;
const bins = ["fake-rbd", "fake-cinder", "cinder-migrate"];
if (bins.some((bin) => !existsSync(`${root}node_modules/.bin/${bin}`))) {
  execSync(
    "npm rebuild --no-audit --no-fund @cinderlab/fake-rbd @cinderlab/fake-cinder @cinderlab/migrator",
    {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
}
for (const bin of bins) chmodSync(realpathSync(`${root}node_modules/.bin/${bin}`), 0o755);
