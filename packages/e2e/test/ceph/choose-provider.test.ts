import { describe, expect, it } from "vitest";
import {
  CephProviderError,
  chooseProvider,
  ExternalCephProvider,
  LocalCephProvider,
  TestcontainersCephProvider,
} from "../../src/ceph/index.js";
import { parseConfPath } from "../../src/ceph/local-provider.js";

const docker = (answers: boolean) => async () => answers;

describe("chooseProvider", () => {
  it("prefers testcontainers when a Docker engine answers and CEPH_PROVIDER is unset", async () => {
    const choice = await chooseProvider({}, docker(true));
    expect(choice.provider).toBeInstanceOf(TestcontainersCephProvider);
    expect(choice.reason).toBe("a Docker engine answers");
  });

  it("falls back to the local packages without Docker", async () => {
    const choice = await chooseProvider({}, docker(false));
    expect(choice.provider).toBeInstanceOf(LocalCephProvider);
  });

  it("obeys CEPH_PROVIDER without probing Docker", async () => {
    let probed = false;
    const probe = async () => {
      probed = true;
      return true;
    };
    const local = await chooseProvider({ CEPH_PROVIDER: "local" }, probe);
    expect(local.provider).toBeInstanceOf(LocalCephProvider);
    const external = await chooseProvider(
      { CEPH_PROVIDER: "external", CEPH_CONF: "/etc/ceph/staging.conf" },
      probe,
    );
    expect(external.provider).toBeInstanceOf(ExternalCephProvider);
    expect(probed).toBe(false);
  });

  it("rejects an unknown CEPH_PROVIDER, naming the valid ones", async () => {
    await expect(chooseProvider({ CEPH_PROVIDER: "kubernetes" }, docker(true))).rejects.toThrow(
      "CEPH_PROVIDER=kubernetes is not one of testcontainers, local, external",
    );
  });

  it("refuses external without CEPH_CONF", async () => {
    const err = await chooseProvider({ CEPH_PROVIDER: "external" }, docker(true)).catch((e) => e);
    expect(err).toBeInstanceOf(CephProviderError);
    expect(err.code).toBe("CONFIG_MISSING");
  });

  it("reports an external cluster whose files are missing as unavailable", async () => {
    const { provider } = await chooseProvider(
      { CEPH_PROVIDER: "external", CEPH_CONF: "/nonexistent/ceph.conf", CEPH_CLIENT: "client.cinder" },
      docker(false),
    );
    expect(await provider.unavailableReason()).toBe(
      "cannot read /nonexistent/ceph.conf (CEPH_CONF / CEPH_KEYRING)",
    );
  });
});

describe("local-up.sh output", () => {
  it("is the conf path, or an export line from older recipes", () => {
    expect(parseConfPath("/tmp/x/ceph.conf\n")).toBe("/tmp/x/ceph.conf");
    expect(parseConfPath("export CEPH_CONF=/tmp/y/ceph.conf\n")).toBe("/tmp/y/ceph.conf");
    expect(parseConfPath("")).toBeUndefined();
  });
});
