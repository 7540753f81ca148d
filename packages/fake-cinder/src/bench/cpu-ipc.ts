// The bench's child processes report their CPU time on request, so that each figure comes
// with the server's CPU per request: unlike req/s, it hardly moves with the neighbours'
// load (a busy machine delays the server; it does not make its work bigger).
import { z } from "zod";

export const cpuReport = z.object({ type: z.literal("cpu"), user: z.number(), system: z.number() });
export type CpuReport = z.infer<typeof cpuReport>;

/** Answers "cpu" with the process's CPU time; "stop" runs `stop` and exits. */
export function answerCpuQueries(stop: () => Promise<void>): void {
  process.on("message", (message) => {
    if (message === "cpu") {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: "cpu", user, system } satisfies CpuReport);
    } else if (message === "stop") {
      void stop().then(() => process.exit(0));
    }
  });
}
