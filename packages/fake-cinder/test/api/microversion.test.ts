import { describe, expect, it } from "vitest";
import { backupCreateBody, isPythonBase64, volumeCreateBody } from "../../src/api/cinder/schemas.js";
import { ApiFault } from "../../src/api/faults.js";
import { requestedVersion, versionHeaders } from "../../src/api/microversion.js";
import { pyRepr, validationMessage } from "../../src/api/validation.js";

function faultOf(fn: () => unknown): ApiFault {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiFault) return error;
    throw error;
  }
  throw new Error("expected an ApiFault");
}

describe("OpenStack-API-Version negotiation", () => {
  it("defaults to 3.0 without a header or without a volume entry", () => {
    expect(requestedVersion(undefined).toString()).toBe("3.0");
    expect(requestedVersion("compute 2.1").toString()).toBe("3.0");
  });

  it("reads the volume entry, case-insensitively, among several services", () => {
    expect(requestedVersion("compute 2.1, Volume 3.44").toString()).toBe("3.44");
    expect(requestedVersion("volume latest").toString()).toBe("3.70");
  });

  it("answers an out-of-range version with 406 and Cinder's text", () => {
    const fault = faultOf(() => requestedVersion("volume 3.71"));
    expect(fault.status).toBe(406);
    expect(fault.message).toBe(
      "Version 3.71 is not supported by the API. Minimum is 3.0 and maximum is 3.70.",
    );
    expect(faultOf(() => requestedVersion("volume 2.0")).status).toBe(406);
  });

  it("answers a malformed version with 400", () => {
    const fault = faultOf(() => requestedVersion("volume 3.x"));
    expect(fault.status).toBe(400);
    expect(fault.message).toBe(
      "API Version String 3.x is of invalid format. Must be of format MajorNum.MinorNum.",
    );
    expect(faultOf(() => requestedVersion("volume 3.07")).status).toBe(400);
  });

  it("echoes the version with Vary at every 3.x (the legacy-endpoint substring test matches none)", () => {
    expect(versionHeaders(requestedVersion("volume 3.44"))).toEqual({
      "OpenStack-API-Version": "volume 3.44",
      Vary: "OpenStack-API-Version",
    });
    expect(versionHeaders(requestedVersion("volume 3.10"))["OpenStack-API-Version"]).toBe("volume 3.10");
    expect(versionHeaders(requestedVersion("volume 3.20"))["OpenStack-API-Version"]).toBe("volume 3.20");
  });
});

describe("jsonschema-style validation messages", () => {
  const messageFor = (
    schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: unknown[] } } },
    body: unknown,
  ) => {
    const result = schema.safeParse(body);
    expect(result.success).toBe(false);
    return validationMessage(result.error?.issues[0] as never, body);
  };

  it("renders Python reprs", () => {
    expect(pyRepr({ a: [1, "x", null, true] })).toBe("{'a': [1, 'x', None, True]}");
    expect(pyRepr("it's")).toBe('"it\'s"');
  });

  it("reports a missing top-level element as jsonschema does", () => {
    expect(messageFor(backupCreateBody(false, false), {})).toBe("'backup' is a required property");
  });

  it("reports a missing field on its parent", () => {
    expect(messageFor(backupCreateBody(false, false), { backup: { name: "x" } })).toBe(
      "Invalid input for field/attribute backup. Value: {'name': 'x'}. 'volume_id' is a required property",
    );
  });

  it("rejects metadata below 3.43 as an additional property", () => {
    expect(
      messageFor(backupCreateBody(false, false), {
        backup: { volume_id: "5d4a4a8c-8a4f-4c4e-9b1a-1c1a1a1a1a1a", metadata: {} },
      }),
    ).toBe(
      "Invalid input for field/attribute backup. Value: {'volume_id': '5d4a4a8c-8a4f-4c4e-9b1a-1c1a1a1a1a1a', 'metadata': {}}. Additional properties are not allowed ('metadata' was unexpected)",
    );
  });

  it("reports a bad uuid and a bad boolean with jsonschema's words", () => {
    expect(messageFor(backupCreateBody(false, false), { backup: { volume_id: "abc" } })).toBe(
      "Invalid input for field/attribute volume_id. Value: abc. 'abc' is not a 'uuid'",
    );
    expect(
      messageFor(backupCreateBody(false, false), {
        backup: { volume_id: "5d4a4a8c-8a4f-4c4e-9b1a-1c1a1a1a1a1a", force: "maybe" },
      }),
    ).toMatch(
      /^Invalid input for field\/attribute force\. Value: maybe\. 'maybe' is not one of \[None, True, 'True'/,
    );
  });

  it("reports a bad size", () => {
    expect(messageFor(volumeCreateBody(false), { volume: { size: 0 } })).toBe(
      "Invalid input for field/attribute size. Value: 0. 0 is less than the minimum of 1",
    );
    expect(messageFor(volumeCreateBody(false), { volume: { size: "ten" } })).toBe(
      "Invalid input for field/attribute size. Value: ten. 'ten' does not match '^[0-9]+$'",
    );
  });

  it("accepts unknown volume keys before 3.53 and refuses them from 3.53", () => {
    expect(volumeCreateBody(false).safeParse({ volume: { size: 1, foo: 1 } }).success).toBe(true);
    expect(messageFor(volumeCreateBody(true), { volume: { size: 1, foo: 1 } })).toBe(
      "Invalid input for field/attribute volume. Value: {'size': 1, 'foo': 1}. Additional properties are not allowed ('foo' was unexpected)",
    );
  });

  it("accepts base64 the way Python's decodebytes does", () => {
    expect(isPythonBase64(Buffer.from('{"id": "x"}').toString("base64"))).toBe(true);
    expect(isPythonBase64("bm90IGpzb24=")).toBe(true);
    expect(isPythonBase64("garbage!")).toBe(false);
    expect(isPythonBase64("abcde")).toBe(false);
    expect(isPythonBase64("abcdef")).toBe(false);
    expect(isPythonBase64("abcdef==")).toBe(true);
  });
});
