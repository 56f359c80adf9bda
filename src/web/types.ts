/** What the dashboard's server answers (src/server/app.ts). Types only. */
import type { RunSummary } from "../server/runSummary.js";
import type { Row } from "./rows.js";

export type { RunSummary };

export interface RunsAnswer {
  roots: string[];
  runs: RunSummary[];
}

export interface RunAnswer {
  summary: RunSummary;
  rows: Row[];
  end: number;
  skipped: number;
  files: string[];
}
