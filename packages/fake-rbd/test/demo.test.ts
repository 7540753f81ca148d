// The README's main job: the demo narrates a full and an incremental backup between two
// fake clusters and succeeds only when the bytes on both sides are equal.
import { describe, expect, it } from "vitest";
import { runDemo } from "../src/demo.js";

describe("fake-rbd demo", () => {
  it("backs a volume up across clusters and proves the bytes match", async () => {
    const lines: string[] = [];
    const result = await runDemo((text) => lines.push(text));
    const narrative = lines.join("");
    expect(result.ok).toBe(true);
    expect(result.backupSha256).toBe(result.sourceSha256);
    expect(result.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    // the commands are shown as an operator would type them
    expect(narrative).toContain("$ fake-rbd export-diff --no-progress volumes/volume-demo@backup.1 -");
    expect(narrative).toContain(
      "| fake-rbd --cluster backup import-diff --no-progress - backups/volume-demo.backup",
    );
    expect(narrative).toContain("--from-snap backup.1");
    expect(narrative).toMatch(/backup\.1 +64 MiB/);
    expect(narrative).toContain("OK: the backup cluster holds exactly the volume's bytes at backup.2.");
  }, 60_000);
});
