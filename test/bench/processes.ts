// The compiled bot (`node dist/main.js`) and the bare Bolt app as child processes: how
// long each takes to answer /readyz 200, and how much memory it holds (VmRSS).
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { request } from "undici";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// BENCH_BOT_MAIN=path/to/main.js runs another build of the bot (to try a fix side by side).
const BOT_MAIN = process.env.BENCH_BOT_MAIN ?? `${ROOT}dist/main.js`;
const BARE_APP = fileURLToPath(new URL("./bare-bolt-app.ts", import.meta.url));
const RESULTS = `${ROOT}bench-results/`;

export interface Spawned {
  pid: number;
  port: number;
  origin: string;
  /** Where /readyz and /metrics are: the bot's OPS_PORT; the bare app serves /readyz on its own port. */
  opsOrigin: string;
  /** From spawn() to the first /readyz 200, in ms. */
  readyMs: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface Memory {
  rssMb: number;
  /** Peak RSS so far. */
  hwmMb: number;
}

/** Starts `node dist/main.js` with exactly `env` (plus PATH/HOME); its logs go to `logFile`. */
export function spawnBot(env: Record<string, string>, logFile: string): Promise<Spawned> {
  // BENCH_CPU_PROF=1: each bot writes a .cpuprofile into bench-results/ when it stops.
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${RESULTS}`] : [];
  // The V8 flags of `npm start` (production), unless BENCH_BOT_NODE_OPTIONS says otherwise.
  const options = (process.env.BENCH_BOT_NODE_OPTIONS ?? productionNodeFlags().join(" "))
    .split(/\s+/)
    .filter(Boolean);
  return spawnAndWait(process.execPath, [...options, ...profile, BOT_MAIN], env, logFile);
}

/** The node flags in package.json's `start` script: what production runs the bot with. */
export function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as {
    scripts: { start: string };
  };
  return pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith("--"));
}

export function spawnBareApp(env: Record<string, string>, logFile: string): Promise<Spawned> {
  // The baseline has no ops port: it serves /readyz beside /slack/events.
  const { OPS_PORT: _none, ...bareEnv } = env;
  return spawnAndWait(process.execPath, ["--import", "tsx", BARE_APP], bareEnv, logFile);
}

async function spawnAndWait(
  command: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
): Promise<Spawned> {
  const port = Number(env.PORT);
  const origin = `http://127.0.0.1:${port}`;
  const opsOrigin = env.OPS_PORT ? `http://127.0.0.1:${env.OPS_PORT}` : origin;
  const log = openSync(logFile, "a");
  const started = performance.now();
  const child = spawn(command, args, {
    // Outside the repository, so a developer's .env is never read into the run.
    cwd: RESULTS,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  let readyMs: number;
  try {
    readyMs = await Promise.race([
      waitForReady(opsOrigin, started),
      exited.then((code) => {
        throw new Error(`${args.at(-1)} exited with ${code} before it was ready; see ${logFile}`);
      }),
    ]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    pid: child.pid as number,
    port,
    origin,
    opsOrigin,
    readyMs,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const forced = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** Polls /readyz every 5 ms; resolves with ms since `started` at the first 200. */
async function waitForReady(origin: string, started: number, timeoutMs = 20_000): Promise<number> {
  const deadline = started + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const res = await request(`${origin}/readyz`, { headersTimeout: 2_000, reset: true });
      await res.body.dump();
      if (res.statusCode === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(5);
  }
  throw new Error(`${origin}/readyz did not answer 200 within ${timeoutMs} ms`);
}

/** VmRSS and VmHWM of a process, from /proc (Linux). */
export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  const mb = (field: string) => Math.round(kb(field) / 102.4) / 10;
  return { rssMb: mb("VmRSS"), hwmMb: mb("VmHWM") };
}

/**
 * CPU time (user + system) the process has used so far, in ms. The difference over a run
 * divided by its requests is the work each one cost, whatever else the machine was doing
 * (latency on a shared two-core box is not).
 */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * CLOCK_TICK_MS;
}

/** USER_HZ is 100 on every Linux the bench runs on (getconf CLK_TCK). */
const CLOCK_TICK_MS = 10;
