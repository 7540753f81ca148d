export { briefing, EXERCISES, type Exercise, findExercise, GOAL } from "./catalogue.js";
export { migrationProblems, SOURCE_VOLUME_NAME } from "./checks.js";
export { collectLabState, collectRemoteLabState, readReadyFile } from "./collect.js";
export {
  adminContext,
  labIdle,
  runSetup,
  type SetupResult,
  type SetupStep,
  TARGET_VOLUME_NAME,
  writeSourceData,
} from "./setup.js";
export { type LabState, SOURCE_FINGERPRINT } from "./state.js";
