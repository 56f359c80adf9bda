/**
 * The sections of `glossa demo`, in order. Each loads lazily so a section's heavy
 * dependencies (tfjs, onnxruntime) load only when it runs.
 */
export type DemoSectionFn = (
  outDir: string,
  log: (message: string) => void,
) => Promise<{ title: string; html: string; results: unknown }>;

export interface DemoSection {
  name: string;
  description: string;
  load: () => Promise<DemoSectionFn>;
}

export const DEMO_SECTIONS: DemoSection[] = [
  {
    name: "mapping",
    description: "synthetic languages over the 25×25×25 subject–verb–object space, every discrete measure",
    load: async () => (await import("../experiments/mappingDemo.js")).mappingDemoSection,
  },
  {
    name: "vector",
    description:
      "soft entropy on generated clusters: regularity, variation, disentanglement, permutation null, residual decomposition",
    load: async () => (await import("../experiments/vectorDemo.js")).vectorDemoSection,
  },
  {
    name: "emergent",
    description: "sender/receiver agents learn a language (quick preset); structure and generalisation over training",
    load: async () => (await import("../experiments/emergent/demo.js")).emergentDemoSection,
  },
  {
    name: "seq2seq",
    description: "a small transformer encoder–decoder learns a sequence task; encoder structure over training",
    load: async () => (await import("../experiments/seq2seq/demo.js")).seq2seqDemoSection,
  },
  {
    name: "lm",
    description:
      "tiny GPT-2 and Pythia-layout ONNX models (two checkpoints): per-layer structure against token, n-gram and POS labels",
    load: async () => (await import("../experiments/lm/demo.js")).lmDemoSection,
  },
  {
    name: "findings",
    description:
      "the thesis's claims as `glossa findings` decides them: links FINDINGS.md and shows the table of any findings run in the output folder",
    load: async () => (await import("./demoFindings.js")).findingsDemoSection,
  },
];
