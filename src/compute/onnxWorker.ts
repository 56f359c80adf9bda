/**
 * Runs an onnxruntime session on a worker thread (Node only). onnxruntime-node's
 * `session.run` blocks the JavaScript thread that calls it (measured: the event loop does not
 * turn while it runs), so the only way to count batch k while the kernel computes batch k + 1
 * is to call it from another thread.
 *
 * Rows go to the worker as a copy made here, unless they live on a SharedArrayBuffer (the .npy
 * reader can read into one): then the worker copies them (onnxruntime-node refuses shared
 * memory), off this thread. Outputs come back as transferred buffers.
 * The worker's source is a string (an `eval` worker), so it runs unchanged from the
 * TypeScript sources (tests) and from dist/.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** CommonJS source of the worker: one session, runs requests in arrival order. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.ortPath);
const ready = ort.InferenceSession.create(workerData.model, workerData.options);
let queue = Promise.resolve();
let local = new Float32Array(0);
parentPort.on("message", (job) => {
  queue = queue.then(async () => {
    try {
      const session = await ready;
      if (job.release) { await session.release(); parentPort.postMessage({ id: job.id }); return; }
      let rows = job.rows;
      if (rows.buffer instanceof SharedArrayBuffer) {
        // onnxruntime-node refuses shared memory: copy here, on this thread, into a reused buffer
        if (local.length < rows.length) local = new Float32Array(rows.length);
        local.set(rows);
        rows = local.subarray(0, rows.length);
      }
      const input = new ort.Tensor("float32", rows, [job.count, job.d]);
      const result = await session.run({ [job.input]: input });
      const outputs = {};
      const transfer = [];
      for (const name of job.outputs) {
        const data = result[name].data;
        const copy = new data.constructor(data.length);
        copy.set(data);
        outputs[name] = copy;
        transfer.push(copy.buffer);
      }
      for (const name of Object.keys(result)) result[name].dispose?.();
      parentPort.postMessage({ id: job.id, outputs }, transfer);
    } catch (error) {
      parentPort.postMessage({ id: job.id, error: String(error && error.message || error) });
    }
  });
});
ready.then(() => parentPort.postMessage({ id: 0 }), (error) => parentPort.postMessage({ id: 0, error: String(error && error.message || error) }));
`;

type Outputs = Record<string, Float32Array | Float64Array>;

interface Pending {
  resolve: (outputs: Outputs) => void;
  reject: (error: Error) => void;
}

/** One onnxruntime session on its own thread; `run` calls are answered in order. */
export class OnnxWorkerSession {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  private constructor(model: Uint8Array, options: unknown) {
    const ortPath = createRequire(import.meta.url).resolve("onnxruntime-node");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath, model, options } });
    this.worker.unref(); // referenced only while a request is pending (see `request`)
    this.worker.on("message", (message: { id: number; outputs?: Outputs; error?: string }) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) this.worker.unref();
      if (message.error !== undefined) job.reject(new Error(`onnxruntime (worker): ${message.error}`));
      else job.resolve(message.outputs ?? {});
    });
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`onnxruntime worker exited (code ${code})`)));
  }

  /** Starts the worker and waits until its session is created. */
  static async create(model: Uint8Array, options: unknown): Promise<OnnxWorkerSession> {
    const session = new OnnxWorkerSession(model, options);
    await new Promise<Outputs>((resolve, reject) => session.track(0, { resolve, reject }));
    return session;
  }

  /** Runs the graph on `rows` ([count, d] float32) and returns the named outputs. */
  run(input: string, rows: Float32Array, count: number, d: number, outputs: string[]): Promise<Outputs> {
    if (rows.buffer instanceof SharedArrayBuffer) return this.request({ input, rows, count, d, outputs });
    // a clone would copy the whole underlying buffer (of which rows may be a small view): copy just the rows, once
    const own = rows.slice(0, count * d);
    return this.request({ input, rows: own, count, d, outputs }, [own.buffer]);
  }

  async release(): Promise<void> {
    if (this.failure === null) await this.request({ release: true });
    await this.worker.terminate();
  }

  private request(job: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Outputs> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const answer = new Promise<Outputs>((resolve, reject) => this.track(id, { resolve, reject }));
    this.worker.postMessage({ id, ...job }, transfer);
    return answer;
  }

  private track(id: number, job: Pending): void {
    if (this.pending.size === 0) this.worker.ref();
    this.pending.set(id, job);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) job.reject(this.failure);
    this.pending.clear();
    this.worker.unref();
  }
}
