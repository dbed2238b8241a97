// Imports point down only: slack → requests → adh/store (adapters may import the domain's
// model and the ports they implement), and Slack journeys never import each other. The
// rules are checked on the real import graph of src/, and on a small made-up graph so a
// checker that let everything through would fail too.
import { readdirSync, readFileSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");

/** Lower numbers sit lower: a module may import its own layer's folder or lower ones. */
const LAYERS: Record<string, number> = {
  "text.ts": 0,
  "task-pool.ts": 0,
  "log.ts": 0,
  "config.ts": 0,
  config: -0.5, // the settings schema's parts, below config.ts which parses with them
  "policy-settings.ts": -1,
  net: 0,
  "process-guard.ts": 1,
  adh: 1,
  store: 1,
  requests: 2,
  reminders: 2,
  slack: 3,
  ops: 3,
  "approver-quorum.ts": 3,
  "doctor.ts": 4,
  wiring: 3.5, // startBot's parts, below bot.ts which runs them
  doctor: 3.5, // the checklist's parts, below doctor.ts which runs them
  "audit-cli.ts": 4,
  "bot.ts": 4,
  "main.ts": 5,
};

/** What an adapter (or a neighbouring domain) may import from above or beside it. */
const SHARED_CONTRACTS = new Set(["requests/model.ts", "requests/ports.ts", "reminders/ports.ts"]);

/** Rooms of src/slack/ that journeys share; journeys are every other room. */
const SHARED_ROOMS = ["kit", "request-card", "request-form"];

type Edge = { from: string; to: string };

/** Every rule an import breaks, in words. Paths are relative to src/, with "/". */
function violations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const [fromTop = ""] = from.split("/");
    const [toTop = ""] = to.split("/");
    const fromLayer = LAYERS[fromTop];
    const toLayer = LAYERS[toTop];
    if (fromLayer === undefined || toLayer === undefined) {
      out.push(`${from} → ${to}: not on the layer map`);
      continue;
    }
    if (fromTop !== toTop && toLayer >= fromLayer && !SHARED_CONTRACTS.has(to)) {
      out.push(`${from} → ${to}: points ${toLayer > fromLayer ? "up" : "sideways"}`);
    }
    if (fromTop === "slack" && toTop === "slack") out.push(...journeyViolation(from, to));
  }
  return out;
}

function journeyViolation(from: string, to: string): string[] {
  const room = (path: string) => {
    const parts = path.split("/");
    return parts.length > 2 ? parts[1] : undefined;
  };
  const fromRoom = room(from);
  const toRoom = room(to);
  if (fromRoom === toRoom || to === "slack/ids.ts") return [];
  if (fromRoom === undefined) return []; // the app's wiring (app.ts, notifier.ts) sees all
  if (toRoom === undefined) return [`${from} → ${to}: ${fromRoom} imports the app`];
  if (fromRoom === "kit") return [`${from} → ${to}: kit imports ${toRoom}`];
  if (SHARED_ROOMS.includes(fromRoom)) {
    return toRoom === "kit" ? [] : [`${from} → ${to}: shared ${fromRoom} imports ${toRoom}`];
  }
  if (SHARED_ROOMS.includes(toRoom)) return [];
  return [`${from} → ${to}: journey ${fromRoom} imports ${toRoom}`];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;

function importGraph(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split("\\").join("/");
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2] ?? "").replace(/\.js$/, ".ts");
      const to = posix.normalize(posix.join(posix.dirname(from), spec));
      edges.push({ from, to });
    }
  }
  return edges;
}

describe("architecture", () => {
  it("reads the real import graph", () => {
    const edges = importGraph();
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ from: "bot.ts", to: "requests/workflow.ts" });
  });

  it("imports point down only and journeys stay apart", () => {
    expect(violations(importGraph())).toEqual([]);
  });

  it("names an upward import, a sideways one and one journey importing another", () => {
    expect(
      violations([
        { from: "store/tracked-secrets.ts", to: "slack/kit/limits.ts" },
        { from: "requests/apply.ts", to: "reminders/service.ts" },
        { from: "slack/approval/register.ts", to: "slack/request/wording.ts" },
        { from: "slack/kit/ack.ts", to: "slack/reveal/messages.ts" },
        { from: "slack/request-card/details.ts", to: "slack/approval/message.ts" },
        { from: "slack/reveal/register.ts", to: "slack/notifier.ts" },
      ]),
    ).toEqual([
      "store/tracked-secrets.ts → slack/kit/limits.ts: points up",
      "requests/apply.ts → reminders/service.ts: points sideways",
      "slack/approval/register.ts → slack/request/wording.ts: journey approval imports request",
      "slack/kit/ack.ts → slack/reveal/messages.ts: kit imports reveal",
      "slack/request-card/details.ts → slack/approval/message.ts: shared request-card imports approval",
      "slack/reveal/register.ts → slack/notifier.ts: reveal imports the app",
    ]);
  });

  it("lets adapters import the model and the ports they implement", () => {
    expect(
      violations([
        { from: "store/request-store.ts", to: "requests/model.ts" },
        { from: "reminders/service.ts", to: "requests/ports.ts" },
        { from: "slack/approval/message.ts", to: "slack/kit/blocks.ts" },
        { from: "slack/request/register.ts", to: "slack/ids.ts" },
        { from: "slack/request/open-forms.ts", to: "slack/request-form/secret-pane.ts" },
      ]),
    ).toEqual([]);
  });
});
