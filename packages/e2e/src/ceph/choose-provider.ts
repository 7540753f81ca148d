import { z } from "zod";
import { dockerEngineAnswers } from "./docker-engine.js";
import { ExternalCephProvider, externalSettingsFromEnv } from "./external-provider.js";
import { LocalCephProvider } from "./local-provider.js";
import { TestcontainersCephProvider } from "./testcontainers-provider.js";
import { type CephProvider, CephProviderError, type CephProviderName } from "./types.js";

const ProviderName = z.enum(["testcontainers", "local", "external"]);

export interface ProviderChoice {
  provider: CephProvider;
  /** Why this provider: named by CEPH_PROVIDER, or picked by probing. */
  reason: string;
}

/**
 * CEPH_PROVIDER names the provider; unset, testcontainers is used when a Docker engine
 * answers and the local packages otherwise.
 */
export async function chooseProvider(
  env: NodeJS.ProcessEnv = process.env,
  probeDocker: () => Promise<boolean> = dockerEngineAnswers,
): Promise<ProviderChoice> {
  const raw = env.CEPH_PROVIDER?.trim();
  let name: CephProviderName;
  let reason: string;
  if (raw) {
    const parsed = ProviderName.safeParse(raw);
    if (!parsed.success) {
      throw new CephProviderError(
        "PROVIDER_UNKNOWN",
        `CEPH_PROVIDER=${raw} is not one of ${ProviderName.options.join(", ")}`,
        { value: raw },
      );
    }
    name = parsed.data;
    reason = `CEPH_PROVIDER=${name}`;
  } else if (await probeDocker()) {
    name = "testcontainers";
    reason = "a Docker engine answers";
  } else {
    name = "local";
    reason = "no Docker engine answers";
  }
  return { provider: makeProvider(name, env), reason };
}

export function makeProvider(name: CephProviderName, env: NodeJS.ProcessEnv = process.env): CephProvider {
  switch (name) {
    case "testcontainers":
      return new TestcontainersCephProvider({ image: env.CEPH_IMAGE, session: env.CINDERLAB_CEPH_SESSION });
    case "local":
      return new LocalCephProvider({ session: env.CINDERLAB_CEPH_SESSION });
    case "external":
      return new ExternalCephProvider(externalSettingsFromEnv(env));
  }
}
