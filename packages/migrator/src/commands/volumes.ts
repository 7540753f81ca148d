import type { Command } from "commander";
import { z } from "zod";
import type { BlockStorage, VolumeView } from "../engine/ports.js";
import { NotFound, UsageError } from "../errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Selection {
  volumes: string[];
  all?: boolean;
  project?: string;
  metadata?: string[];
}

/** The flags that pick volumes, shared by `plan` and `run` so both select the same set. */
export function selectionOptions(cmd: Command, allHelp: string): Command {
  return cmd
    .argument("[volumes...]", "source volume ids or names")
    .option("--all", allHelp)
    .option("--project <id>", "only volumes of this project")
    .option("--metadata <key=value...>", "only volumes with this metadata");
}

export const selectionFlags = {
  all: z.boolean().optional(),
  project: z.string().optional(),
  metadata: z.array(z.string()).optional(),
};

export function selectionOf(
  volumes: string[],
  o: { all?: boolean | undefined; project?: string | undefined; metadata?: string[] | undefined },
): Selection {
  return {
    volumes,
    ...(o.all ? { all: true } : {}),
    ...(o.project ? { project: o.project } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}

/** Ids or names (like cinderclient's find_resource), or --all narrowed by project and metadata. */
export async function selectVolumes(a: BlockStorage, sel: Selection): Promise<VolumeView[]> {
  const filters = (sel.metadata ?? []).map((kv) => {
    const i = kv.indexOf("=");
    if (i < 1) throw new UsageError(`--metadata "${kv}" is not KEY=VALUE`);
    return [kv.slice(0, i), kv.slice(i + 1)] as const;
  });
  const keep = (v: VolumeView) =>
    (!sel.project || v.projectId === sel.project) && filters.every(([k, val]) => v.metadata[k] === val);
  if (sel.all || (sel.volumes.length === 0 && (sel.project || filters.length))) {
    const all = await a.findVolumes({ allProjects: true });
    return all.filter(keep).filter((v) => !v.status.startsWith("delet"));
  }
  if (sel.volumes.length === 0)
    throw new UsageError("name the volumes to migrate (ids or names), or pass --all");
  const found: VolumeView[] = [];
  for (const ref of sel.volumes) {
    let v = UUID.test(ref) ? await a.getVolume(ref) : undefined;
    if (!v) {
      const byName = await a.findVolumes({ name: ref, allProjects: true });
      if (byName.length > 1)
        throw new UsageError(`more than one volume in ${a.label} is named "${ref}"; use its id`);
      v = byName[0];
    }
    if (!v) throw new NotFound(`no volume with a name or id of "${ref}" in ${a.label}`);
    if (!found.some((f) => f.id === v.id)) found.push(v);
  }
  return found.filter(keep);
}
