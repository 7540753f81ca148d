// The plain-Node counterpart of `fake-rbd export-diff ... - | fake-rbd import-diff - ...`,
// for the bench's reference rows: `plain-pipe.js download URL` copies a GET body to
// stdout, `plain-pipe.js upload URL` copies stdin into a POST, with nothing but node:http
// and stream pipes. What this reaches on the same machine at the same moment is the
// ceiling the fake's CLI figures are judged against.
import { get, request } from "node:http";
import { pipeline } from "node:stream/promises";

async function main(mode: string | undefined, url: string | undefined): Promise<void> {
  if (!url || (mode !== "download" && mode !== "upload")) {
    throw new Error("usage: plain-pipe.js download|upload URL");
  }
  if (mode === "download") {
    const response = await new Promise<import("node:http").IncomingMessage>((resolve, reject) =>
      get(url, resolve).once("error", reject),
    );
    await pipeline(response, process.stdout);
    return;
  }
  const upload = request(url, { method: "POST", headers: { "content-type": "application/octet-stream" } });
  const answered = new Promise<import("node:http").IncomingMessage>((resolve, reject) => {
    upload.once("response", resolve).once("error", reject);
  });
  await pipeline(process.stdin, upload);
  const response = await answered;
  response.resume();
  if (response.statusCode !== 200) throw new Error(`upload answered HTTP ${response.statusCode}`);
}

main(process.argv[2], process.argv[3]).catch((error: unknown) => {
  process.stderr.write(`plain-pipe: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
