/**
 * NODE ONLY: the emergent-communication section of `glossa demo`: runs the quick preset into
 * `outDir` (continuing a finished or interrupted earlier demo run there instead of redoing it)
 * and returns the report section and its headline results.
 */
import fs from "node:fs";
import { InputError } from "../../io/errors.js";
import { RunFolderLockedError } from "../../io/runLock.js";
import { QUICK_PRESET } from "./config.js";
import { runExperiment } from "./experiment.js";
import { emergentSectionHtml } from "./report.js";

export const EMERGENT_SECTION_TITLE = "Emergent communication: structure of agents' languages over training";

/** Keeps the demo's log short: every 20th epoch line of each run, and every other message. */
function sparse(log: (message: string) => void): (message: string) => void {
  return (message) => {
    const m = /epoch (\d+)\/(\d+)/.exec(message);
    if (!m || Number(m[1]) % 20 === 0 || m[1] === m[2]) log(message);
  };
}

export async function emergentDemoSection(
  outDir: string,
  log: (message: string) => void,
): Promise<{ title: string; html: string; results: unknown }> {
  const config = QUICK_PRESET;
  const options = {
    out: outDir,
    preset: "quick",
    log: sparse(log),
    command: "glossa demo (emergent, quick preset)",
  };
  let result: Awaited<ReturnType<typeof runExperiment>>;
  try {
    result = await runExperiment(config, { ...options, resume: true });
  } catch (error) {
    // A folder this demo cannot continue (made by an older glossa, or other settings): start afresh.
    // A folder in use by another process is not touched.
    if (!(error instanceof InputError) || error instanceof RunFolderLockedError) throw error;
    log(`   ${error.message}; starting the emergent demo run afresh`);
    fs.rmSync(outDir, { recursive: true, force: true });
    result = await runExperiment(config, options);
  }
  const description =
    `Sender and receiver GRUs play the reconstruction game over ${config.roles.join("–")} meanings ` +
    `(${config.atoms} atoms per role), signals of ${config.signalLength} symbols from ${config.alphabetSize}; ` +
    `REINFORCE with a running-mean baseline and entropy bonus ${config.entropyCoefficient}, Adam lr ${config.learningRate}, batch ${config.batchSize} (${config.passesPerEpoch} passes over the training meanings per epoch), ` +
    `${config.epochs} epochs, seeds ${config.seeds.join(", ")} × hidden sizes ${config.hiddenSizes.join(", ")} (the quick preset; ` +
    `\`glossa emergent --preset medium\`, 1000 meanings in about 20–25 minutes, gives the §6.1 findings a fair test and \`--preset thesis\` is the full METHODS §6.1 setup). Every epoch the sender's greedy language over the full meaning space ` +
    `is measured (§3) and the receiver is tested on an iid split and on a compositional split of unseen subject–object combinations.`;
  const html = emergentSectionHtml({
    description,
    splits: result.splits,
    summary: result.summary,
    plots: result.plots,
    elapsedSeconds: result.seconds,
  });
  return {
    title: EMERGENT_SECTION_TITLE,
    html,
    results: {
      dir: result.dir,
      seconds: result.seconds,
      splits: {
        train: result.splits.train.length,
        iid: result.splits.iid.length,
        compositional: result.splits.compositional.length,
        unseenCombinationRate: result.splits.unseenCombinationRate,
      },
      finalByRun: result.summary.finalByRun,
      capacity: result.summary.capacity,
      capacityTrend: result.summary.capacityTrend,
    },
  };
}
