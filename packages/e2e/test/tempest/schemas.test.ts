// Tempest's response schemas (Debian's python3-tempest 33.0.0,
// tempest.lib.api_schema.response.volume) applied to the fake's answers by tempest's
// own volume service clients: the same schema selection per microversion, the same
// jsonschema validator and format checkers, the same status-code and
// OpenStack-API-Version header checks a tempest run makes. The driver script is
// packages/e2e/scripts/tempest_schemas.py; each (microversion, call) is one test here.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PYTHON_BIN } from "../../src/harness/clients.js";
import { FakeLab, REPO_ROOT } from "../../src/harness/lab.js";

const SCRIPT = join(REPO_ROOT, "packages/e2e/scripts/tempest_schemas.py");

/**
 * No header (what tempest's default volume tests send, i.e. 3.0), and the
 * microversions where tempest switches schemas (backups: 3.64; volumes: 3.61, 3.63,
 * 3.64, 3.65, 3.69) or where Cinder adds backup fields (3.9 update, 3.43 metadata,
 * 3.56 user_id), up to the maximum, 3.70.
 */
const MICROVERSIONS = [
  null,
  "3.0",
  "3.9",
  "3.43",
  "3.56",
  "3.60",
  "3.61",
  "3.63",
  "3.64",
  "3.65",
  "3.69",
  "3.70",
];

const CHECKS = [
  "volumes.create_volume",
  "volumes.show_volume",
  "volumes.list_volumes",
  "volumes.list_volumes(detail)",
  "volumes.update_volume",
  "limits.show_limits",
  "backups.create_backup",
  "backups.show_backup",
  "backups.list_backups",
  "backups.list_backups(detail)",
  "backups.export_backup",
  "backups.import_backup",
  "backups.show_backup(imported)",
  "backups.restore_backup({})",
  "volumes.show_volume(restored)",
  "volumes.delete_volume",
  "backups.restore_backup(volume_id)",
  "backups.reset_backup_status",
  "backups.delete_backup(imported)",
  "backups.delete_backup",
];

const resultLine = z.object({
  mv: z.string(),
  check: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
});
type CheckResult = z.infer<typeof resultLine>;

/** the calls a member may make (export, import and reset-status are admin-only) */
const MEMBER_CHECKS = CHECKS.filter(
  (c) => !/export_backup|import_backup|\(imported\)|reset_backup_status/.test(c),
);
const MEMBER_MICROVERSIONS = [null, "3.70"];

async function runScript(config: object): Promise<{ code: number; results: CheckResult[]; stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(PYTHON_BIN, [SCRIPT, JSON.stringify(config)], {
      env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", HOME: "/nonexistent" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 180_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const results = stdout
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => resultLine.parse(JSON.parse(l)));
      resolve({ code: code ?? 1, results, stderr });
    });
  });
}

/** the Keystone password credentials of an openrc, as the check script reads them */
function tempestAuth(env: Record<string, string | undefined>) {
  return {
    auth_url: env.OS_AUTH_URL,
    username: env.OS_USERNAME,
    password: env.OS_PASSWORD,
    project_name: env.OS_PROJECT_NAME,
    user_domain_name: env.OS_USER_DOMAIN_NAME ?? "Default",
    project_domain_name: env.OS_PROJECT_DOMAIN_NAME ?? "Default",
    region: env.OS_REGION_NAME ?? "RegionOne",
  };
}

describe("tempest's volume response schemas accept the fake's answers", () => {
  let lab: FakeLab;
  let run: { code: number; results: CheckResult[]; stderr: string };

  beforeAll(async () => {
    lab = await FakeLab.start();
    run = await runScript({
      ...tempestAuth(lab.openrc("a", "admin")),
      microversions: MICROVERSIONS,
      timeout: 20,
    });
  }, 200_000);
  afterAll(async () => {
    await lab?.close();
  });

  function result(mv: string, check: string): CheckResult {
    expect(run.code, `tempest_schemas.py exited ${run.code}: ${run.stderr}`).toBe(0);
    const scenarioFailure = run.results.find((r) => r.mv === mv && r.check === "scenario");
    const found = run.results.find((r) => r.mv === mv && r.check === check);
    expect(found, `no result for ${check} at ${mv}; ${scenarioFailure?.error ?? run.stderr}`).toBeDefined();
    return found as CheckResult;
  }

  it("versions: GET / (300) and GET /v3/ (200)", () => {
    for (const check of ["versions.list_versions", "versions.show_version(v3)"]) {
      const r = result("none", check);
      expect(r.error, check).toBeUndefined();
      expect(r.ok).toBe(true);
    }
  });

  for (const mv of MICROVERSIONS) {
    const label = mv ?? "none";
    describe(`microversion ${mv === null ? "(no header)" : mv}`, () => {
      for (const check of CHECKS) {
        // tempest checks an update's answer against the 3.0 schema at every microversion,
        // which Cinder's own answer fails from 3.61 on (see the script): not checked there
        if (check === "volumes.update_volume" && mv !== null && Number(mv.split(".")[1]) >= 61) continue;
        it(check, () => {
          const r = result(label, check);
          expect(r.error, `${check} at ${label}`).toBeUndefined();
          expect(r.ok).toBe(true);
        });
      }
      if (mv !== null && mv !== "3.0") {
        it("backups.update_backup", () => {
          const r = result(label, "backups.update_backup");
          expect(r.error).toBeUndefined();
          expect(r.ok).toBe(true);
        });
      }
      it("the scenario ran to its end", () => {
        const failure = run.results.find((r) => r.mv === label && r.check === "scenario");
        expect(failure?.error).toBeUndefined();
      });
    });
  }
});

describe("tempest's volume response schemas accept what a member (non-admin) sees", () => {
  let lab: FakeLab;
  let run: { code: number; results: CheckResult[]; stderr: string };

  beforeAll(async () => {
    lab = await FakeLab.start();
    run = await runScript({
      ...tempestAuth(lab.openrc("a", "member")),
      microversions: MEMBER_MICROVERSIONS,
      timeout: 20,
      admin: false,
    });
  }, 200_000);
  afterAll(async () => {
    await lab?.close();
  });

  for (const mv of MEMBER_MICROVERSIONS) {
    const label = mv ?? "none";
    for (const check of MEMBER_CHECKS) {
      if (check === "volumes.update_volume" && mv !== null) continue;
      it(`${check} at ${label}`, () => {
        expect(run.code, `tempest_schemas.py exited ${run.code}: ${run.stderr}`).toBe(0);
        const found = run.results.find((r) => r.mv === label && r.check === check);
        const scenario = run.results.find((r) => r.mv === label && r.check === "scenario");
        expect(found, `no result for ${check} at ${label}; ${scenario?.error ?? run.stderr}`).toBeDefined();
        expect(found?.error).toBeUndefined();
        expect(found?.ok).toBe(true);
      });
    }
  }
});
