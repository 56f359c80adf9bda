/**
 * Analyse a file: drop a mapping file (TSV/CSV/JSONL) or an .npy of vectors with .npy label
 * files; the computation runs in a Web Worker (progress bar, cancel button; the page stays
 * responsive) and the page shows the CLI's tables with a JSON download of the CLI's --json.
 */
import { MEASURE_NAMES } from "../../mapping/measureAll.js";
import type { MeasureRow } from "../../vector/measures.js";
import { DEFAULT_NULL_SHADOWS } from "../../vector/entropyJob.js";
import { estimatorSpec, registeredEstimators } from "../../vector/registry.js";
import { shownMeasures } from "../../vector/shownMeasures.js";
import { labelSetName, type BackendChoice } from "../analysis.js";
import { h, table } from "../dom.js";
import type { WorkerReply, WorkerRequest } from "../worker.js";

interface MappingJson {
  file: { file: string; rows: number; format: string };
  values: Record<string, number | null>;
  wordOrder: string[];
  parameters: { roles: { name: string; atoms: number }[] };
  details: {
    synonymy: { perRole: number[] };
    homonymy: { perRole: number[] };
    wordOrderFreedom: { perRole: number[] };
    residualEntropy: { perRole: number[] };
    entanglement: { perPair: { roles: number[]; value: number }[] };
  };
}

interface VectorJson {
  parameters: { file: string; rows: number; d: number; backend: string | null };
  measures: MeasureRow[];
  result: { labelSets: Record<string, { values: number; retainedValues: number; retainedRows: number }> };
  warnings: string[];
}

function mappingTables(json: MappingJson): HTMLElement[] {
  const p = json.parameters;
  const headline = MEASURE_NAMES.filter((n) => n !== "accuracy").map((name) => ({
    measure: name,
    value: json.values[name] ?? "skipped",
  }));
  const perRole = p.roles.map((role, r) => ({
    role: role.name,
    synonymy: json.details.synonymy.perRole[r],
    homonymy: json.details.homonymy.perRole[r],
    "word-order freedom": json.details.wordOrderFreedom.perRole[r],
    "residual entropy": json.details.residualEntropy.perRole[r],
  }));
  return [
    h(
      "p",
      {},
      `${json.file.file}: ${json.file.rows} rows (${json.file.format}); inferred word order: ${json.wordOrder.join(" ")}`,
    ),
    table(["measure", "value"], headline, "result-table"),
    table(["role", "synonymy", "homonymy", "word-order freedom", "residual entropy"], perRole, "role-table"),
    ...(json.details.entanglement.perPair.length > 1
      ? [
          table(
            ["roles", "entanglement"],
            json.details.entanglement.perPair.map((x) => ({
              roles: x.roles.map((r) => p.roles[r]!.name).join(" & "),
              entanglement: x.value,
            })),
          ),
        ]
      : []),
  ];
}

function vectorTables(json: VectorJson): HTMLElement[] {
  const corrected = json.measures.some((m) => m.correction === "corrected");
  const shadows = json.measures.find((m) => m.correction === "null")?.shadows ?? 0;
  return [
    h(
      "p",
      {},
      `${json.parameters.file}: ${json.parameters.rows} rows × d = ${json.parameters.d}`,
      json.parameters.backend ? `; anchor kernel: ${json.parameters.backend}` : "",
    ),
    table(
      corrected ? ["label set", "measure", "value", "raw", "null mean", "p"] : ["label set", "measure", "value"],
      shownMeasures(json.measures).map(({ row, raw, nullMean }) => ({
        "label set": row.labelSet ?? "(all)",
        measure: row.measure,
        value: row.value,
        raw: raw ?? (row.correction === "raw" ? row.value : undefined),
        "null mean": nullMean,
        p: row.pValue,
      })),
      "result-table",
    ),
    ...(corrected
      ? [
          h(
            "p",
            { class: "note", "data-testid": "correction-note" },
            `value: bias-corrected = raw − (null mean − the value for labels that carry nothing), from ${shadows} null shadows (labels permuted within batches; METHODS 5.1); raw: the plug-in value; p: (1 + shadows at least as structured as raw) / ${shadows + 1}.`,
          ),
        ]
      : []),
    ...Object.entries(json.result.labelSets).map(([name, s]) =>
      h("p", {}, `${name}: ${s.values} values, ${s.retainedValues} kept (${s.retainedRows} rows)`),
    ),
    ...json.warnings.map((w) => h("p", { class: "warning" }, `warning: ${w}`)),
  ];
}

async function bytesOf(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/** A file input inside a drop zone: dropping files onto the zone sets the input's files. */
function dropZone(label: string, input: HTMLInputElement, testId: string): HTMLElement {
  const zone = h("div", { class: "dropzone", "data-testid": testId }, h("p", {}, label), input);
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer?.files.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change"));
    }
  });
  return zone;
}

export async function analysePage(root: HTMLElement): Promise<() => void> {
  let worker: Worker | undefined;
  let downloadUrl: string | undefined;
  const mappingInput = h("input", {
    type: "file",
    accept: ".tsv,.tab,.csv,.jsonl,.ndjson",
    "data-testid": "mapping-input",
  });
  const skipTopsim = h("input", { type: "checkbox", "data-testid": "skip-topsim" });
  const vectorInput = h("input", { type: "file", accept: ".npy", "data-testid": "vectors-input" });
  const labelInput = h("input", { type: "file", accept: ".npy", multiple: true, "data-testid": "labels-input" });
  const anchors = h("input", { type: "number", value: 100, min: 2, "data-testid": "anchors-n" });
  const seed = h("input", { type: "number", value: 0, "data-testid": "anchors-seed" });
  const estimator = h(
    "select",
    { "data-testid": "estimator" },
    ...registeredEstimators().map((spec) => h("option", { value: spec.name, title: spec.summary }, spec.name)),
  );
  const shadows = h("input", { type: "number", value: DEFAULT_NULL_SHADOWS, min: 0, "data-testid": "null-shadows" });
  const anchorOptions = h("span", {});
  const shadowOption = h("label", { class: "picker" }, "null shadows ", shadows);
  const skipInvalid = h("input", { type: "checkbox", "data-testid": "skip-invalid" });
  const showOptions = () => {
    const spec = estimatorSpec(estimator.value);
    anchorOptions.hidden = !spec.needs.includes("anchors");
    shadowOption.hidden = !spec.counting;
  };
  estimator.addEventListener("change", showOptions);
  const backend = h(
    "select",
    { "data-testid": "backend" },
    h("option", { value: "auto" }, "auto (onnxruntime-web for large n·d)"),
    h("option", { value: "ts" }, "TypeScript (as glossa entropy --backend ts)"),
    h("option", { value: "onnx-web" }, "onnxruntime-web (WebAssembly SIMD, threads)"),
  );
  const vectorButton = h("button", { type: "button", "data-testid": "vectors-run" }, "Measure the vectors");
  const progress = h("progress", { max: 1, value: 0, "data-testid": "progress" });
  const progressText = h("span", { "data-testid": "progress-text" });
  const cancel = h("button", { type: "button", disabled: true, "data-testid": "cancel" }, "Cancel");
  const output = h("div", { "data-testid": "analysis-output" });
  const error = h("p", { class: "error", "data-testid": "analysis-error" });

  const finish = () => {
    worker?.terminate();
    worker = undefined;
    cancel.disabled = true;
  };
  const start = (request: WorkerRequest, transfer: Transferable[]) => {
    finish();
    output.replaceChildren();
    error.textContent = "";
    progress.value = 0;
    progressText.textContent = "starting…";
    cancel.disabled = false;
    root.dataset.state = "running";
    worker = new Worker(new URL("../worker.ts", import.meta.url), { type: "module" });
    worker.addEventListener("message", (event: MessageEvent<WorkerReply>) => {
      const reply = event.data;
      if (reply.type === "progress") {
        progress.value = reply.fraction;
        progressText.textContent = reply.message;
        return;
      }
      finish();
      if (reply.type === "error") {
        error.textContent = reply.message;
        root.dataset.state = "error";
        return;
      }
      if (downloadUrl) URL.revokeObjectURL(downloadUrl);
      downloadUrl = URL.createObjectURL(new Blob([reply.json], { type: "application/json" }));
      const parsed = JSON.parse(reply.json) as MappingJson | VectorJson;
      output.replaceChildren(
        ...(request.kind === "mapping" ? mappingTables(parsed as MappingJson) : vectorTables(parsed as VectorJson)),
        h(
          "p",
          {},
          h(
            "a",
            { href: downloadUrl, download: `${request.kind}.json`, "data-testid": "download-json" },
            "Download JSON (as the CLI's --json)",
          ),
        ),
      );
      root.dataset.state = "done";
    });
    worker.addEventListener("error", (event) => {
      finish();
      error.textContent = `the analysis worker failed: ${event.message}`;
      root.dataset.state = "error";
    });
    worker.postMessage(request, transfer);
  };
  cancel.addEventListener("click", () => {
    finish();
    progressText.textContent = "cancelled";
    root.dataset.state = "cancelled";
  });
  mappingInput.addEventListener("change", async () => {
    const file = mappingInput.files?.[0];
    if (!file) return;
    const bytes = await bytesOf(file);
    start({ kind: "mapping", fileName: file.name, bytes, skipTopsim: skipTopsim.checked }, [bytes.buffer]);
  });
  vectorButton.addEventListener("click", async () => {
    const vectors = vectorInput.files?.[0];
    if (!vectors) {
      error.textContent = "choose an .npy file of vectors (rows × d) first";
      return;
    }
    const spec = estimatorSpec(estimator.value);
    const vectorBytes = await bytesOf(vectors);
    const labels = await Promise.all(
      Array.from(labelInput.files ?? []).map(async (f) => ({
        name: labelSetName(f.name),
        fileName: f.name,
        bytes: await bytesOf(f),
      })),
    );
    start(
      {
        kind: "vectors",
        vectors: { fileName: vectors.name, bytes: vectorBytes },
        labels,
        estimator: spec.name,
        ...(spec.needs.includes("anchors") ? { n: Number(anchors.value), seed: Number(seed.value) } : {}),
        ...(spec.counting ? { nullShadows: Number(shadows.value) } : {}),
        skipInvalid: skipInvalid.checked,
        backend: backend.value as BackendChoice,
      },
      [vectorBytes.buffer, ...labels.map((l) => l.bytes.buffer)],
    );
  });
  anchorOptions.append(
    h("label", { class: "picker" }, "anchors n ", anchors),
    h("label", { class: "picker" }, "seed ", seed),
    h("label", { class: "picker" }, "anchor kernel ", backend),
  );
  showOptions();
  root.replaceChildren(
    h("h1", {}, "Analyse a file"),
    h("p", {}, "Everything is computed in this browser (a Web Worker running glossa's maths); nothing is uploaded."),
    h(
      "section",
      { class: "two" },
      h(
        "div",
        {},
        h("h2", {}, "A mapping (as glossa mapping)"),
        dropZone("Drop a .tsv, .csv or .jsonl mapping file here, or choose one:", mappingInput, "mapping-drop"),
        h("label", { class: "picker" }, skipTopsim, " skip topsim (all pairs: slow for large files)"),
      ),
      h(
        "div",
        {},
        h("h2", {}, "Vectors (as glossa entropy)"),
        dropZone("Vectors: an .npy of rows × d floats", vectorInput, "vectors-drop"),
        dropZone("Labels: .npy files of integer labels, one per row (named by file)", labelInput, "labels-drop"),
        h("label", { class: "picker" }, "estimator ", estimator),
        shadowOption,
        h("label", { class: "picker" }, skipInvalid, " skip invalid rows (--skip-invalid)"),
        anchorOptions,
        vectorButton,
      ),
    ),
    h("div", { class: "toolbar" }, cancel, progress, progressText),
    error,
    output,
  );
  return () => {
    finish();
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  };
}
