// The exercises, as data: what is planted (setup steps), what the trainee is told, and the
// pure check that judges the lab afterwards. Every exercise ends with the same goal (the
// migration of pg-data done, nothing broken on the way); some add a rule of their own.
import { migrationProblems, SOURCE_VOLUME_NAME } from "./checks.js";
import type { SetupStep } from "./setup.js";
import { TARGET_VOLUME_NAME } from "./setup.js";
import type { LabState } from "./state.js";

export interface Exercise {
  name: string;
  title: string;
  /** what the trainee finds, in their words; never how to fix it */
  situation: string[];
  setup: readonly SetupStep[];
  /** the problems left in the lab; none means the recovery is right */
  check(state: LabState): string[];
}

export const GOAL = [
  `pg-data is still in A, detached, with its data, and A keeps an available backup of it that can be restored;`,
  "B has an available volume holding pg-data's data, and no volume without it;",
  "no volume or backup in A or B is left in a transitional or error status, and both backup services are up.",
];

const source = (sizeGiB = 1, attached = false): SetupStep => ({ kind: "source", sizeGiB, attached });

export const EXERCISES: readonly Exercise[] = [
  {
    name: "backup-stuck-creating",
    title: "A backup stuck in creating",
    situation: [
      `The backup of ${SOURCE_VOLUME_NAME} in A was started an hour ago and still says \`creating\`; ${SOURCE_VOLUME_NAME}`,
      "says `backing-up`. `cinder backup-delete` answers `Invalid backup: Backup status must be available or error`.",
    ],
    // the manager never finishes this backup (it stalls), the next one goes through
    setup: [
      source(),
      {
        kind: "fault",
        cluster: "a",
        rule: { operation: "backup.create", count: 1, action: { kind: "stall" } },
      },
      { kind: "backup" },
    ],
    check: migrationProblems,
  },
  {
    name: "restore-error",
    title: "A restore ending in error_restoring",
    situation: [
      `The backup of ${SOURCE_VOLUME_NAME} was exported from A and imported into B, and a restore into`,
      `${TARGET_VOLUME_NAME} was started. The volume now says \`error_restoring\`; the backup says \`available\`.`,
    ],
    setup: [
      source(),
      { kind: "backup" },
      { kind: "import" },
      { kind: "target", sizeGiB: 1 },
      {
        kind: "fault",
        cluster: "b",
        rule: {
          operation: "backup.restore",
          count: 1,
          action: { kind: "fail", failReason: "An unknown exception occurred." },
        },
      },
      { kind: "restore" },
    ],
    check: migrationProblems,
  },
  {
    name: "imported-twice",
    title: "A record imported twice",
    situation: [
      `You exported the backup of ${SOURCE_VOLUME_NAME} from A. \`cinder backup-import\` in B answers`,
      "`Invalid backup: Backup already exists in database.` A colleague ran the same runbook an hour ago.",
    ],
    setup: [source(), { kind: "backup" }, { kind: "import" }],
    check: migrationProblems,
  },
  {
    name: "target-too-small",
    title: "A target volume too small",
    situation: [
      `The backup of ${SOURCE_VOLUME_NAME} is imported into B and ${TARGET_VOLUME_NAME} is waiting there.`,
      "`cinder backup-restore` answers `Invalid volume: volume size 1 is too small to restore backup of size 2.`",
    ],
    setup: [source(2), { kind: "backup" }, { kind: "import" }, { kind: "target", sizeGiB: 1 }],
    check: migrationProblems,
  },
  {
    name: "in-use-source",
    title: "An in-use source",
    situation: [
      `${SOURCE_VOLUME_NAME} in A is attached to a server (the database was stopped for the migration).`,
      "`cinder backup-create` answers `Invalid volume: Backing up an in-use volume must use the force flag.`",
    ],
    setup: [source(1, true)],
    check: migrationProblems,
  },
  {
    name: "backup-service-down-b",
    title: "The backup service down on B",
    situation: [
      `The backup of ${SOURCE_VOLUME_NAME} is available in A. In B, \`cinder backup-import\` answers`,
      "`Service cinder.backup.drivers.ceph.CephBackupDriver could not be found.`",
    ],
    setup: [source(), { kind: "backup" }, { kind: "backupServiceDown", cluster: "b" }],
    check: migrationProblems,
  },
  {
    name: "deleted-imported-backup",
    title: "The imported backup deleted in B",
    situation: [
      `The backup of ${SOURCE_VOLUME_NAME} was imported into B. Before the restore, a colleague ran`,
      '`cinder backup-delete` on it in B "to start over cleanly". A still lists its backup as `available`.',
    ],
    setup: [source(), { kind: "backup" }, { kind: "import" }, { kind: "deleteImported" }],
    check: migrationProblems,
  },
];

export function findExercise(name: string): Exercise {
  const found = EXERCISES.find((e) => e.name === name);
  if (!found)
    throw new Error(`no exercise "${name}"; the exercises are: ${EXERCISES.map((e) => e.name).join(", ")}`);
  return found;
}

export interface BriefingPlaces {
  readyFile?: string;
  /** each cluster's Cinder without Keystone, where the lab's service control lives */
  noauth: Record<string, string>;
}

/** The text printed when the lab starts an exercise. */
export function briefing(exercise: Exercise, places: BriefingPlaces): string[] {
  const ready = places.readyFile ?? "<the lab's --ready-file>";
  return [
    `# Exercise ${exercise.name}: ${exercise.title}`,
    "#",
    ...exercise.situation.map((l) => `# ${l}`),
    "#",
    "# Your goal, when you are done:",
    ...GOAL.map((l) => `#   - ${l}`),
    "#",
    "# Lab tools: `fake-rbd` stands for `rbd` (source an openrc first). Instead of",
    '# `systemctl start cinder-backup` on a cluster\'s controller, this lab takes (`"up":false` stops it):',
    ...Object.entries(places.noauth).map(
      ([name, url]) =>
        `#   ${name.toUpperCase()}: curl -s -X POST ${url}/_fake/services -H 'Content-Type: application/json' -d '{"binary":"cinder-backup","up":true}'`,
    ),
    "# and instead of `systemctl restart cinder-backup` (restart the cinder-backup service; it",
    "# answers with what the service's startup did to the backups it found):",
    ...Object.entries(places.noauth).map(
      ([name, url]) =>
        `#   ${name.toUpperCase()}: curl -s -X POST ${url}/_fake/services/restart -H 'Content-Type: application/json' -d '{"binary":"cinder-backup"}'`,
    ),
    `# When you think you are done: fake-cinder lab --check --exercise ${exercise.name} --ready-file ${ready}`,
  ];
}
