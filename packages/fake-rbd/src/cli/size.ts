import { CliFailure, EXIT_USAGE } from "./errors.js";

// rbd parses --size with strict_iecstrtoll: an integer, then an optional unit whose first
// letter is B, K, M, G, T, P or E (at most two letters: "G", "Gi", "GB"); every unit is a
// power of 1024. A bare number means MiB. Fractions ("1.5G") and lowercase units are
// rejected, and the error is boost's ("the argument for option '--size' is invalid", exit 1).

const SHIFT: Readonly<Record<string, bigint>> = {
  B: 0n,
  K: 10n,
  M: 20n,
  G: 30n,
  T: 40n,
  P: 50n,
  E: 60n,
};

const MAX_U64 = (1n << 64n) - 1n;

export function parseRbdSize(text: string, option = "--size"): number {
  const invalid = () => new CliFailure(`rbd: the argument for option '${option}' is invalid`, EXIT_USAGE);
  const match = /^([+-]?[0-9]+)(.*)$/.exec(text);
  if (!match) throw invalid();
  const [, digits = "", unit = ""] = match;
  let shift = 20n;
  if (unit !== "") {
    if (unit.length > 2 || (unit.endsWith("i") && unit.startsWith("B"))) throw invalid();
    const s = SHIFT[unit[0] ?? ""];
    if (s === undefined) throw invalid();
    shift = s;
  }
  const value = BigInt(digits);
  if (value < 0n) throw invalid();
  const bytes = value << shift;
  if (bytes > MAX_U64) throw invalid();
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid();
  return Number(bytes);
}
