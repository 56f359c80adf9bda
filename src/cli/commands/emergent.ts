/**
 * `glossa emergent`: trains sender–receiver pairs on the reconstruction game over seeds and
 * hidden sizes and tracks the language's structure and generalisation every epoch. Wiring only.
 */
import { SCALE_OUT_OPTIONS, scaleOutOptions } from "../../distributed/options.js";
import { choiceOption, describeOptions, flagOption, parseArgs, stringOption } from "../args.js";
import { commandLine } from "../../io/runFolder.js";
import { textTable } from "../../report/html.js";
import {
  EMERGENT_SETTINGS,
  meaningCount,
  PRESETS,
  runSpecs,
  type PresetName,
} from "../../experiments/emergent/config.js";
import { runExperiment } from "../../experiments/emergent/experiment.js";
import { CORRELATION_COLUMNS, correlationCells } from "../../experiments/emergent/report.js";
import { readSettingsFile, resolveSettings } from "../../experiments/training/config.js";

export const summary =
  "emergent communication: train GRU sender/receiver agents, track language structure and generalisation per epoch";

const OPTIONS = {
  preset: {
    type: "string",
    description:
      "quick (about 1½ minutes on 2 cores; default), medium (1000 meanings, hidden 64/128/256 × 3 seeds, about 20–25 minutes) or thesis (METHODS §6.1 full setup, about 10 h)",
  },
  config: { type: "string", description: "JSON file of settings that override the preset's (unknown keys are errors)" },
  splits: {
    type: "string",
    description:
      "folder of split files in the released format (train*.tsv, val*.tsv, test*.tsv, optional iid_test*.tsv; lines 'subject verb object<TAB>subject verb object'); atoms come from the files",
  },
  out: { type: "string", description: "run folder (default glossa-out/emergent-PRESET)" },
  ...SCALE_OUT_OPTIONS,
  resume: { type: "boolean", description: "continue the run in --out from its checkpoints and journal" },
  backend: { type: "string", description: "TensorFlow.js back end: wasm (default) or cpu" },
  json: { type: "boolean", description: "print the summary as JSON on stdout" },
  help: { type: "boolean" },
} as const;

function help(): string {
  const keys = Object.keys(PRESETS.quick).join(", ");
  return `usage: glossa emergent [--preset quick|medium|thesis] [--config FILE.json] [--splits DIR] [--out DIR] [--resume] [--backend wasm|cpu]
${summary}

options:
${describeOptions(OPTIONS)}

config keys: ${keys}, zeroEndsMessage (symbol 0 ends a message, EGG's convention), roleLoss
(sum|mean over roles), baseline (exponential|mean), splitsDir. The thesis preset plays the
ICLR 2023 reference's game: zeroEndsMessage true, roleLoss mean, baseline mean.
writes: run.json, results.jsonl (one row per measurement), results.csv, summary.json/.csv,
emergent-*.svg plots and checkpoints/ (one per run, for --resume) into the run folder.`;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (flagOption(args, "help")) {
    console.log(help());
    return 0;
  }
  const preset = choiceOption(args, "preset", Object.keys(PRESETS) as PresetName[], "quick");
  const backend = choiceOption(args, "backend", ["wasm", "cpu"] as const, "wasm");
  const configFile = stringOption(args, "config");
  const splitsDir = stringOption(args, "splits");
  const config = resolveSettings(EMERGENT_SETTINGS, PRESETS[preset], `preset ${preset}`, [
    ...(configFile ? [{ source: configFile, values: readSettingsFile(configFile) }] : []),
    ...(splitsDir ? [{ source: "--splits", values: { splitsDir } }] : []),
  ]);
  const out = stringOption(args, "out") ?? `glossa-out/emergent-${preset}`;
  process.stderr.write(
    `glossa emergent: preset ${preset}${configFile ? ` + ${configFile}` : ""}, ${meaningCount(config)} meanings, ${runSpecs(config).length} runs, output ${out}\n`,
  );
  const result = await runExperiment(config, {
    out,
    resume: flagOption(args, "resume"),
    ...scaleOutOptions("emergent", argv, out, (name) => stringOption(args, name)),
    backend,
    preset,
    command: commandLine(["emergent", ...argv]),
  });
  if (flagOption(args, "json")) {
    console.log(JSON.stringify({ dir: result.dir, seconds: result.seconds, summary: result.summary }, null, 2));
    return 0;
  }
  const finals = Object.entries(result.summary.finalByRun).map(([run, v]) => ({
    run,
    epoch: v.epoch,
    "acc train": v["train.accuracy"],
    "acc iid": v["iid.accuracy"],
    "acc comp": v["compositional.accuracy"],
    synonymy: v.synonymy,
    homonymy: v.homonymy,
    freedom: v.wordOrderFreedom,
    entanglement: v.entanglement,
    topsim: v.topsim,
    posdis: v.posdis,
  }));
  console.log(
    textTable(
      [
        "run",
        "epoch",
        "acc train",
        "acc iid",
        "acc comp",
        "synonymy",
        "homonymy",
        "freedom",
        "entanglement",
        "topsim",
        "posdis",
      ],
      finals,
    ),
  );
  console.log("");
  console.log(
    textTable(
      ["reading", "hiddenSize", "mean", "sd", "runs"],
      result.summary.capacity.map((c) => ({ ...c })),
    ),
  );
  // Measures vs compositional accuracy at the last summarised epoch: n, ρ [95%], excludes 0, p.
  const lastEpoch = Math.max(...result.summary.correlations.map((c) => c.epoch));
  const corr = result.summary.correlations.filter(
    (c) => c.epoch === lastEpoch && c.target === "compositional.accuracy",
  );
  if (corr.length) {
    console.log(
      `\nSpearman across runs with compositional accuracy, epoch ${lastEpoch} (${result.summary.correction})`,
    );
    console.log(
      textTable(
        [...CORRELATION_COLUMNS],
        corr.map((c) => correlationCells(c)),
      ),
    );
  }
  console.log(`\nresults in ${result.dir} (${result.seconds.toFixed(0)} s)`);
  return 0;
}
