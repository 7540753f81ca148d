// Half-open byte ranges [start, end), kept sorted and coalesced. Used for the
// "what changed since the base version" bookkeeping that diffs are computed from.

export interface Range {
  start: number;
  end: number;
}

/** Adds [start, end) to a sorted, coalesced list; returns a new list. */
export function addRange(ranges: readonly Range[], start: number, end: number): Range[] {
  if (end <= start) return ranges.slice();
  const out: Range[] = [];
  let s = start;
  let e = end;
  let placed = false;
  for (const r of ranges) {
    if (r.end < s) out.push(r);
    else if (r.start > e) {
      if (!placed) {
        out.push({ start: s, end: e });
        placed = true;
      }
      out.push(r);
    } else {
      s = Math.min(s, r.start);
      e = Math.max(e, r.end);
    }
  }
  if (!placed) out.push({ start: s, end: e });
  return out;
}

export function unionRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  let out = a.slice();
  for (const r of b) out = addRange(out, r.start, r.end);
  return out;
}

/** The parts of `ranges` inside [start, end). */
export function clipRanges(ranges: readonly Range[], start: number, end: number): Range[] {
  const out: Range[] = [];
  for (const r of ranges) {
    const s = Math.max(r.start, start);
    const e = Math.min(r.end, end);
    if (e > s) out.push({ start: s, end: e });
  }
  return out;
}
