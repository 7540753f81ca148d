// @cinderlab/e2e: the harness that runs the fakes as real processes and drives the
// real OpenStack clients against them.

export * from "./ceph/index.js";
export {
  CINDER_BIN,
  CliFailed,
  type CliResult,
  cliEnv,
  describeRun,
  OPENSTACK_BIN,
  PYTHON_BIN,
  runCli,
  runOk,
} from "./harness/clients.js";
export {
  type ClusterName,
  FAKE_CINDER_BIN,
  FakeLab,
  type LabDescription,
  type Persona,
  REPO_ROOT,
  type StartLabOptions,
} from "./harness/lab.js";
export { sourceOpenrc } from "./harness/openrc.js";
export { freePort } from "./harness/ports.js";
export { ManagedProcess, type StartProcessOptions } from "./harness/process.js";
export {
  type CinderErrorLine,
  listTableHeader,
  parseCinderError,
  parseListTable,
  parsePropertyTable,
} from "./harness/tables.js";
export {
  type ImageBytes,
  type ImageLocation,
  patternBytes,
  sha256OfVolume,
  volumeImage,
  writeVolumeBytes,
} from "./harness/volume-data.js";
export { type PollOptions, pollUntil, WaitTimeout, waitForHttp } from "./harness/wait.js";
