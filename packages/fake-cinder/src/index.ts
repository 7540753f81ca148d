// @cinderlab/fake-cinder: a fake Cinder 21 (Zed) with Keystone v3, over fake-rbd.
//
//   const lab = await startLab();            // clusters a and b sharing a backup Ceph
//   lab.cluster("a").volumeEndpoint          // http://127.0.0.1:<port>/v3/<project>
//   await lab.close();                       // frees every port

export { type AuthStrategy, buildCinderApp, type CinderAppOptions } from "./api/cinder/app.js";
export { ApiFault, type FaultName as ApiFaultName, renderFault } from "./api/faults.js";
export {
  DEFAULT_DOMAIN,
  type Domain,
  Identity,
  type IdentitySeed,
  type Project,
  type RoleName,
  standardIdentity,
  type Token,
  Unauthenticated,
  type User,
} from "./api/identity.js";
export { buildKeystoneApp, type CatalogService, type KeystoneAppOptions } from "./api/keystone/app.js";
export { ApiVersion, MAX_VERSION, MIN_VERSION, requestedVersion } from "./api/microversion.js";
export { seedBytes } from "./exercises/state.js";
export {
  type Lab,
  type LabCluster,
  type LabClusterOptions,
  type LabDescription,
  type LabOptions,
  type LabUser,
  startLab,
} from "./lab.js";
export * from "./model/index.js";
export { listenOn } from "./server.js";
