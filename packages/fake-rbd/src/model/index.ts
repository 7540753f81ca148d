export { Ceph, type CephOptions, Cluster, type NewImageOptions, Pool } from "./ceph.js";
export {
  ERRNO,
  type ErrnoCode,
  errors,
  isRbdError,
  RbdError,
  type RbdErrorContext,
  type RbdErrorJson,
  type RbdErrorOptions,
  strerror,
} from "./errors.js";
export { DEFAULT_FEATURES, FEATURE_ORDER, Image, type ImageHost, type Snapshot } from "./image.js";
export { allZero, ObjectVersion } from "./object.js";
export {
  diffPoints,
  type Extent,
  ImageState,
  type PointView,
  pointIsZero,
  pointPieces,
  readPoint,
} from "./state.js";
