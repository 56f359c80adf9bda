/** Runs: every run folder with experiment, status, progress and start; filter, sort, select to compare. */
import { getJson, h, statusBadge } from "../dom.js";
import type { RunSummary, RunsAnswer } from "../types.js";

type SortKey = "started" | "experiment" | "status" | "path";

export function runLink(id: string): string {
  return `#/run/${encodeURIComponent(id)}`;
}

export function progressText(run: RunSummary, count = `${run.lines} lines`): string {
  const p = run.progress;
  const where = p.epoch !== undefined ? `epoch ${p.epoch}` : p.step !== undefined ? `step ${p.step}` : "";
  const of = p.of !== undefined ? ` / ${p.of}` : "";
  return [where && `${where}${of}`, count].filter(Boolean).join(" · ");
}

function parameterSummary(parameters: Record<string, unknown>): string {
  return Object.entries(parameters)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .slice(0, 8)
    .map(([k, v]) => `${k}=${v}`)
    .join("  ");
}

export async function runsPage(root: HTMLElement, options: { onlyRunning?: boolean } = {}): Promise<() => void> {
  const answer = await getJson<RunsAnswer>("/api/runs");
  const selected = new Set<string>();
  let sortKey: SortKey = "started";
  let descending = true;
  const filter = h("input", {
    type: "search",
    placeholder: "filter: experiment, command, path…",
    "data-testid": "filter",
  });
  const statusFilter = h(
    "select",
    { "data-testid": "status-filter" },
    ...["any status", "running", "done", "failed", "interrupted"].map((s) => h("option", { value: s }, s)),
  );
  if (options.onlyRunning) statusFilter.value = "running";
  const compareButton = h(
    "button",
    { type: "button", "data-testid": "compare-selected", disabled: true },
    "Compare selected",
  );
  compareButton.addEventListener("click", () => {
    location.hash = `#/compare?runs=${[...selected].map(encodeURIComponent).join(",")}`;
  });
  const body = h("tbody");
  const header = (label: string, key: SortKey) => {
    const th = h("th", { class: "sortable", title: "sort" }, label);
    th.addEventListener("click", () => {
      descending = sortKey === key ? !descending : false;
      sortKey = key;
      render();
    });
    return th;
  };
  const render = () => {
    const needle = filter.value.toLowerCase();
    const status = statusFilter.value;
    const runs = answer.runs
      .filter((r) => status === "any status" || r.status === status)
      .filter(
        (r) => needle === "" || `${r.path} ${r.experiment} ${r.command} ${r.statusText}`.toLowerCase().includes(needle),
      )
      .sort((a, b) => {
        const x = String(a[sortKey] ?? "");
        const y = String(b[sortKey] ?? "");
        return (descending ? -1 : 1) * x.localeCompare(y);
      });
    body.replaceChildren(
      ...runs.map((run) => {
        const box = h("input", { type: "checkbox", "aria-label": `select ${run.path}`, checked: selected.has(run.id) });
        box.addEventListener("change", () => {
          if (box.checked) selected.add(run.id);
          else selected.delete(run.id);
          compareButton.disabled = selected.size === 0;
        });
        const fraction = run.progress.fraction;
        return h(
          "tr",
          { "data-testid": "run-row", "data-run-id": run.id },
          h("td", {}, box),
          h("td", {}, h("a", { href: runLink(run.id) }, run.path)),
          h("td", {}, run.experiment),
          h("td", {}, statusBadge(run.status, run.statusText)),
          h(
            "td",
            {},
            fraction !== undefined ? h("progress", { max: 1, value: fraction }) : null,
            " ",
            progressText(run),
          ),
          h("td", {}, run.started ? new Date(run.started).toLocaleString() : "–"),
          h("td", { class: "command" }, run.command),
          h("td", { class: "params" }, parameterSummary(run.parameters)),
        );
      }),
    );
    count.textContent = `${runs.length} of ${answer.runs.length} runs under ${answer.roots.join(", ")}`;
  };
  const count = h("p", { "data-testid": "run-count" });
  filter.addEventListener("input", render);
  statusFilter.addEventListener("change", render);
  root.replaceChildren(
    h("h1", {}, options.onlyRunning ? "Live: running experiments" : "Runs"),
    h("div", { class: "toolbar" }, filter, statusFilter, compareButton),
    count,
    h(
      "table",
      { class: "runs", "data-testid": "runs-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", {}, ""),
          header("run folder", "path"),
          header("experiment", "experiment"),
          header("status", "status"),
          h("th", {}, "progress"),
          header("started", "started"),
          h("th", {}, "command"),
          h("th", {}, "parameters"),
        ),
      ),
      body,
    ),
  );
  render();
  return () => {};
}
