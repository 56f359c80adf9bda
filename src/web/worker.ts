/**
 * The analysis Web Worker: runs analysis.ts off the page's thread and posts progress, then the
 * result as the CLI's JSON text (or the CLI's error message). Cancel = the page terminates it.
 */
import { tsBackend } from "../compute/ts.js";
import type { ComputeBackend } from "../compute/types.js";
import {
  analyseMapping,
  analyseVectors,
  prefersOnnxWeb,
  type BackendChoice,
  type MappingRequest,
  type VectorRequest,
} from "./analysis.js";

export type WorkerRequest = ({ kind: "mapping" } & MappingRequest) | ({ kind: "vectors" } & VectorRequest);

export type WorkerReply =
  | { type: "progress"; fraction: number; message: string }
  | { type: "result"; json: string }
  | { type: "error"; message: string };

/** The anchor kernel's back end: onnxruntime-web is loaded only when chosen. */
function backendChooser(choice: BackendChoice = "ts") {
  return async (shape: { rows: number; d: number; n: number }): Promise<ComputeBackend> => {
    if (choice === "ts" || (choice === "auto" && !prefersOnnxWeb(shape))) return tsBackend;
    const { onnxWebBackend } = await import("./onnxWebBackend.js");
    return onnxWebBackend();
  };
}

const post = (reply: WorkerReply) => (self as unknown as Worker).postMessage(reply);

self.addEventListener("message", async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  const progress = (fraction: number, message: string) => post({ type: "progress", fraction, message });
  try {
    const result =
      request.kind === "mapping"
        ? await analyseMapping(request, progress)
        : await analyseVectors(request, progress, backendChooser(request.backend));
    post({ type: "result", json: JSON.stringify(result, null, 2) });
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
});
