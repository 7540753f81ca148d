import { CEPH_CONTAINER_LABEL } from "./ceph-container.js";

/** Label carrying the run's session id, so a run can remove exactly its own leftovers. */
export const SESSION_LABEL = `${CEPH_CONTAINER_LABEL}.session`;

// testcontainers' reaper (Ryuk) is an image from a registry, which is unreachable here; the
// suite removes its own containers instead (see removeSessionContainers). Set before the
// library is loaded, and only when the user has not chosen otherwise.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

async function runtimeClient() {
  const { getContainerRuntimeClient } = await import("testcontainers");
  return getContainerRuntimeClient();
}

/** Whether a Docker (or compatible) engine answers, within timeoutMs. Never throws. */
export async function dockerEngineAnswers(timeoutMs = 5_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = runtimeClient().then(
    async (client) => {
      await client.container.dockerode.ping();
      return true;
    },
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function imageExists(image: string): Promise<boolean> {
  const client = await runtimeClient();
  try {
    await client.container.dockerode.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Force-removes every container labelled with this session id (or, without one, every
 * container this module ever started). Returns their ids. The safety net for runs that
 * failed between start and stop.
 */
export async function removeSessionContainers(session?: string): Promise<string[]> {
  const client = await runtimeClient();
  const label = session === undefined ? CEPH_CONTAINER_LABEL : `${SESSION_LABEL}=${session}`;
  const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [label] } });
  for (const c of found) {
    await client.container.dockerode.getContainer(c.Id).remove({ force: true, v: true });
  }
  return found.map((c) => c.Id);
}
