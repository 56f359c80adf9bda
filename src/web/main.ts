/**
 * The dashboard's entry: a hash router over the pages (Runs, Run, Compare, Live, Analyse a file).
 * Each page renders into <main> and returns a cleanup (closing its event stream, its worker).
 */
import { h } from "./dom.js";
import { analysePage } from "./pages/analyse.js";
import { comparePage } from "./pages/compare.js";
import { runPage } from "./pages/run.js";
import { runsPage } from "./pages/runs.js";

const main = document.querySelector("main")!;
let cleanup: () => void = () => {};
let generation = 0;

async function route(): Promise<void> {
  cleanup();
  cleanup = () => {};
  const mine = ++generation;
  const hash = location.hash.replace(/^#/, "") || "/runs";
  const [path = "", query = ""] = hash.split("?");
  const params = new URLSearchParams(query);
  for (const link of Array.from(document.querySelectorAll("nav a")))
    link.classList.toggle("active", path.startsWith(link.getAttribute("href")!.slice(1)));
  main.dataset.page = path.split("/")[1] ?? "";
  main.dataset.ready = "false";
  main.replaceChildren(h("p", {}, "loading…"));
  try {
    let stop: () => void;
    if (path.startsWith("/run/")) stop = await runPage(main, decodeURIComponent(path.slice("/run/".length)));
    else if (path === "/compare")
      stop = await comparePage(
        main,
        (params.get("runs") ?? "")
          .split(",")
          .filter(Boolean)
          .map((s) => decodeURIComponent(s)),
      );
    else if (path === "/live") stop = await runsPage(main, { onlyRunning: true });
    else if (path === "/analyse") stop = await analysePage(main);
    else stop = await runsPage(main);
    if (mine !== generation) stop();
    else cleanup = stop;
  } catch (error) {
    main.replaceChildren(h("p", { class: "error" }, error instanceof Error ? error.message : String(error)));
  }
  if (mine === generation) main.dataset.ready = "true";
}

window.addEventListener("hashchange", () => void route());
void route();
