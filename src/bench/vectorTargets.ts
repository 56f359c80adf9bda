/**
 * Issue 16's targets as one summary at the end of `npm run bench -- vector`: each part that measures a
 * target records its headline figure here, and `printTargets` lists them (met or not) so a run's
 * standing reads at a glance. Parts not run are absent.
 */
interface TargetRow {
  target: string;
  figure: string;
  met: boolean;
}

const rows: TargetRow[] = [];

export function recordTarget(target: string, figure: string, met: boolean): void {
  rows.push({ target, figure, met });
}

export function printTargets(): void {
  if (rows.length === 0) return;
  console.log("\n### issue 16 targets (this run)");
  for (const { target, figure, met } of rows)
    console.log(`${target.padEnd(58)} ${figure}  → ${met ? "met" : "not met"}`);
  rows.length = 0;
}
