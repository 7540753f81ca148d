export {
  CEPH_CONTAINER_LABEL,
  CephContainer,
  DEFAULT_CEPH_IMAGE,
  StartedCephContainer,
} from "./ceph-container.js";
export { chooseProvider, makeProvider, type ProviderChoice } from "./choose-provider.js";
export { dockerEngineAnswers, removeSessionContainers, SESSION_LABEL } from "./docker-engine.js";
export { ExternalCephProvider, externalSettingsFromEnv } from "./external-provider.js";
export { LocalCephProvider, stopSessionClusters } from "./local-provider.js";
export { expectOk, runCephTool } from "./rbd-runner.js";
export { StartedCluster } from "./started-cluster.js";
export { TestcontainersCephProvider } from "./testcontainers-provider.js";
export * from "./types.js";
