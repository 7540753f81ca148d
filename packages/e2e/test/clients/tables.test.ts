// The parsers the real-client tests rely on, pinned on output captured from
// python-cinderclient 9.1.0 (prettytable) and its error line.
import { describe, expect, it } from "vitest";
import { parseCinderError, parseListTable, parsePropertyTable } from "../../src/harness/tables.js";

const SHOW = `+-------------------+--------------------------------------+
| Property          | Value                                |
+-------------------+--------------------------------------+
| backup_service    | cinder.backup.drivers.ceph.CephBackupDriver |
| description       | line one                             |
|                   | line two                             |
| name              | None                                 |
+-------------------+--------------------------------------+
+----------+-------+
| Property | Value |
+----------+-------+
| driver   | rbd   |
+----------+-------+
`;

const LIST = `+--------------------------------------+-----------+------+------+
| ID                                   | Status    | Name | Size |
+--------------------------------------+-----------+------+------+
| 41133977-7010-45d9-acd3-371968f83669 | available | ov1  | 1    |
| ae9e5c40-b4b8-47e4-bb19-4fc68eba7e99 | in-use    | -    | 2    |
+--------------------------------------+-----------+------+------+
`;

describe("cinderclient output parsers", () => {
  it("reads the first Property/Value table, joining continued lines", () => {
    expect(parsePropertyTable(SHOW)).toEqual({
      backup_service: "cinder.backup.drivers.ceph.CephBackupDriver",
      description: "line one\nline two",
      name: "None",
    });
  });

  it("rejects text that is not a Property/Value table", () => {
    expect(() => parsePropertyTable(LIST)).toThrow(/not a Property\/Value table/);
  });

  it("reads list tables keyed by column header", () => {
    expect(parseListTable(LIST)).toEqual([
      { ID: "41133977-7010-45d9-acd3-371968f83669", Status: "available", Name: "ov1", Size: "1" },
      { ID: "ae9e5c40-b4b8-47e4-bb19-4fc68eba7e99", Status: "in-use", Name: "-", Size: "2" },
    ]);
  });

  it("reads the ERROR line with and without a request id", () => {
    expect(
      parseCinderError(
        "ERROR: Invalid backup: Backup already exists in database. (HTTP 400) (Request-ID: req-0b9e1c2a-6c3e-4a51-9b7e-4f3f2a1d0c9e)\n",
      ),
    ).toEqual({
      message: "Invalid backup: Backup already exists in database.",
      httpStatus: 400,
      requestId: "req-0b9e1c2a-6c3e-4a51-9b7e-4f3f2a1d0c9e",
    });
    expect(parseCinderError("ERROR: Policy doesn't allow x to be performed. (HTTP 403)")).toEqual({
      message: "Policy doesn't allow x to be performed.",
      httpStatus: 403,
      requestId: undefined,
    });
    expect(parseCinderError("ERROR: Cannot determine API version.")).toBeUndefined();
  });
});
