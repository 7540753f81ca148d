import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fold, type JournalRecord } from "../src/engine/journal.js";
import { FileJournal, readJournal } from "../src/engine/journal-file.js";
import { defaultOptions } from "./support/engine.js";

const header: JournalRecord = {
  t: "run",
  at: "2026-01-01T00:00:00.000Z",
  runId: "j1",
  from: { kind: "cloud", name: "A" },
  to: { kind: "cloud", name: "B" },
  options: defaultOptions,
  volumes: ["v1", "v2"],
};

describe("the journal file", () => {
  it("keeps every record of concurrent appends, in order, and folds them back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cm-j-"));
    const j = FileJournal.create(dir, "j1");
    await j.append(header);
    const steps: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      steps.push(j.append({ t: "before", at: header.at, volume: i % 2 ? "v1" : "v2", step: "backup" }));
    }
    steps.push(
      j.append({
        t: "after",
        at: "2026-01-01T00:00:02.000Z",
        volume: "v1",
        step: "backup",
        facts: { backupId: "b1" },
      }),
    );
    await Promise.all(steps);
    j.close();
    const { records } = readJournal(dir, "j1");
    expect(records).toHaveLength(52);
    expect(fold(records).volumes.get("v1")?.facts.backupId).toBe("b1");
    expect(() => FileJournal.create(dir, "j1")).toThrow(/EEXIST/);
  });

  it("drops a torn last line (a crash mid-write) and refuses damage anywhere else", () => {
    const dir = mkdtempSync(join(tmpdir(), "cm-j-"));
    const path = join(dir, "t.jsonl");
    writeFileSync(path, `${JSON.stringify(header)}\n`);
    appendFileSync(path, '{"t":"before","at":"x","vol');
    expect(readJournal(dir, "t").records).toHaveLength(1);
    expect(readFileSync(path, "utf8")).toBe(`${JSON.stringify(header)}\n`);
    writeFileSync(path, `${JSON.stringify(header)}\n{"t":"nonsense"}\n{"t":"resume","at":"x"}\n`);
    expect(() => readJournal(dir, "t")).toThrow(/journal .*t.jsonl is corrupt at line 2/);
    writeFileSync(path, "");
    expect(() => readJournal(dir, "t")).toThrow(/corrupt at line 1: no run record/);
  });
});
