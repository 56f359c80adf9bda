/**
 * The analysis Web Worker: runs analysis.ts off the page's thread and posts progress, then the
 * result as the CLI's JSON text (or the CLI's error message). Cancel = the page terminates it.
 */
import { analyseMapping, analyseVectors, type MappingRequest, type VectorRequest } from "./analysis.js";

export type WorkerRequest = ({ kind: "mapping" } & MappingRequest) | ({ kind: "vectors" } & VectorRequest);

export type WorkerReply =
  | { type: "progress"; fraction: number; message: string }
  | { type: "result"; json: string }
  | { type: "error"; message: string };

const post = (reply: WorkerReply) => (self as unknown as Worker).postMessage(reply);

self.addEventListener("message", async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const progress = (fraction: number, message: string) => post({ type: "progress", fraction, message });
  try {
    const result =
      request.kind === "mapping" ? await analyseMapping(request, progress) : await analyseVectors(request, progress);
    post({ type: "result", json: JSON.stringify(result, null, 2) });
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
});
