// librbd logs some failures to stderr (log level -1) before rbd prints its own line, e.g.
// "2026-11-25T13:18:25.172+0000 7fe3dd2a6380 -1 librbd: rbd image img1 already exists",
// Scripts grep these texts, so the CLI reproduces them (on their own line: in real rbd the
// log thread races the main one, so their position and a following empty line vary).

function threadId(): string {
  return `7f${Math.floor(Math.random() * 0xffffffffff)
    .toString(16)
    .padStart(10, "0")}`;
}

function timestamp(now: Date): string {
  return now.toISOString().replace("Z", "+0000");
}

export function librbdLog(component: string, message: string, now = new Date()): string {
  return `${timestamp(now)} ${threadId()} -1 ${component}: ${message}`;
}
