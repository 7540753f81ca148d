// The options that put a lab on a real Ceph, without a cluster: how roles map onto
// RbdCliBackend identities and volume pools, and one-line refusals for what cannot work.
// (The lab running on a real Ceph is tested in packages/e2e/test/ceph/cinder-over-ceph.test.ts.)
import { RbdCliBackend } from "@cinderlab/fake-rbd";
import { describe, expect, it } from "vitest";
import { type CliIo, main } from "../src/cli.js";
import { RealCephOptionError, realCephLabInput } from "../src/real-ceph.js";

const none = { cephCluster: [] as string[] };

describe("real-Ceph lab options", () => {
  it("without them the lab keeps its fake Ceph", () => {
    expect(realCephLabInput(none)).toEqual({});
  });

  it("one conf serves every role; --ceph-cluster moves a role to its own cluster", () => {
    const { rbd } = realCephLabInput({
      cephConf: "/etc/ceph/one.conf",
      cephKeyring: "/etc/ceph/one.keyring",
      cephUser: "cinder",
      cephCluster: ["backup=/etc/ceph/bk.conf,keyring=/etc/ceph/bk.keyring,user=cinder-backup"],
    });
    expect(rbd).toBeInstanceOf(RbdCliBackend);
    expect(rbd?.identityArgs("a")).toEqual([
      "--conf",
      "/etc/ceph/one.conf",
      "--id",
      "cinder",
      "--keyring",
      "/etc/ceph/one.keyring",
    ]);
    expect(rbd?.identityArgs("backup")).toEqual([
      "--conf",
      "/etc/ceph/bk.conf",
      "--id",
      "cinder-backup",
      "--keyring",
      "/etc/ceph/bk.keyring",
    ]);
  });

  it("roles given only one by one leave the others unconfigured (an error naming the role)", () => {
    const { rbd } = realCephLabInput({ cephCluster: ["a=/a.conf"] });
    expect(rbd?.identityArgs("a")).toEqual(["--conf", "/a.conf", "--id", "admin"]);
    expect(() => rbd?.identityArgs("b")).toThrow('no Ceph cluster "b" is configured');
  });

  it("--volume-pools gives each cluster its pool", () => {
    expect(realCephLabInput({ ...none, volumePools: "a=volumes-a,b=volumes-b" }).volumePools).toEqual({
      a: "volumes-a",
      b: "volumes-b",
    });
  });

  it("refuses what cannot work", () => {
    for (const opts of [
      { cephCluster: ["a"] },
      { cephCluster: ["=x.conf"] },
      { cephCluster: ["a=x.conf,colour=blue"] },
      { cephCluster: [], cephKeyring: "k" },
      { cephCluster: [], volumePools: "a" },
    ]) {
      expect(() => realCephLabInput(opts), JSON.stringify(opts)).toThrow(RealCephOptionError);
    }
  });

  it("the CLI answers a bad role with one line and exit code 2", async () => {
    const err: string[] = [];
    const io: CliIo = { out: () => undefined, err: (l) => err.push(l), waitForStop: async () => undefined };
    expect(await main(["lab", "--no-view", "--ceph-cluster", "backup"], io)).toBe(2);
    expect(err).toEqual([
      "fake-cinder: --ceph-cluster takes ROLE=CONF[,keyring=FILE][,user=NAME]; got backup",
    ]);
  });
});
