import { describe, expect, it } from "vitest";
import { normaliseJson, normaliseSnapTable, splitStderr } from "./contract/normalise.js";

const LOG = "2026-11-25T13:39:54.120+0000 7fcc7baa0380 -1 librbd: rbd image a already exists";

describe("contract normalisation", () => {
  it("separates librbd log lines from rbd's own text in every order real rbd produces", () => {
    const expected = {
      rbd: "rbd: create error: (17) File exists (line breaks not compared: librbd logged)",
      log: ["<log> librbd: rbd image a already exists"],
    };
    for (const stderr of [
      `${LOG}\nrbd: create error: (17) File exists\n`,
      `rbd: create error: (17) File exists\n${LOG}\n`,
      `rbd: create error: ${LOG}\n(17) File exists\n`,
      `${LOG}\n\nrbd: create error: (17) File exists\n`,
      `rbd: create error: (17) File exists\n${LOG}\n\n`,
      `rbd: create error: ${LOG}\n\n(17) File exists\n`,
      `${LOG}\nrbd: create error: (17) File exists\n\n`,
    ]) {
      expect(splitStderr(stderr), JSON.stringify(stderr)).toEqual(expected);
    }
  });

  it("compares rbd's text exactly, line breaks included, when librbd did not log", () => {
    expect(splitStderr("a\n\nb\n")).toEqual({ rbd: "a\n\nb\n", log: [] });
  });

  it("accepts the log line where rbd's own newline would be (fake-rbd's recorded order)", () => {
    const fake = `rbd: image creation failed${LOG}\n\nrbd: import failed: (17) File exists\n`;
    const real = `${LOG}\n\nrbd: image creation failed\nrbd: import failed: (17) File exists\n`;
    expect(splitStderr(fake)).toEqual(splitStderr(real));
  });

  it("replaces run-specific JSON fields but keeps their type and every other value", () => {
    expect(normaliseJson({ name: "v", id: "ab12cd", size: 4, snaps: [{ id: 4, timestamp: "x" }] })).toEqual({
      name: "v",
      id: "<id:string>",
      size: 4,
      snaps: [{ id: "<id:number>", timestamp: "<timestamp:string>" }],
    });
  });

  it("normalises snapshot ids and dates in snap ls tables", () => {
    const table = [
      "SNAPID  NAME  SIZE    PROTECTED  TIMESTAMP               ",
      "     4  s1    16 MiB             Wed Nov 25 13:33:49 2026",
    ].join("\n");
    expect(normaliseSnapTable(table)).toBe(
      ["SNAPID  NAME  SIZE  PROTECTED  TIMESTAMP  ", "<snapid> s1  16 MiB  <date>"].join("\n"),
    );
  });
});
