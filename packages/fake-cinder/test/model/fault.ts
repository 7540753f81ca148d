import { CinderFault } from "../../src/model/errors.js";

/** runs fn and returns the CinderFault it throws (fails the test otherwise) */
export function fault(fn: () => unknown): CinderFault {
  try {
    fn();
  } catch (err) {
    if (err instanceof CinderFault) return err;
    throw err;
  }
  throw new Error("expected a CinderFault");
}
