// A private redis-server for suites that must stop and restart Redis (the chaos suite):
// its own free port and data directory, so the shared Redis on 6379 is never touched.
// Stop and start keep the port, so clients reconnect to the same URL.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PrivateRedis {
  port: number;
  url: string;
  /** Its working directory (AOF and RDB files live here). */
  dir: string;
  /** SIGTERM and wait for the exit: Redis flushes its append-only file on the way out. */
  stop(): Promise<void>;
  /** Starts again on the same port, directory and arguments. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server says it accepts connections; rejects with its output if it exits. */
function launch(port: number, dir: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...args],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        child.stdout?.off("data", onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.off("exit", onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`redis-server on ${port} exited (${code}) before it was ready:\n${output}`));
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", onExit);
    child.once("error", reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts `redis-server` with `args` (e.g. `["--appendonly", "yes"]`) on a free port, in a
 * fresh temporary directory. A port taken between the probe and the bind is retried.
 */
export async function startRedisServer(args: string[] = []): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), "hcb-redis-"));
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, args);
      break;
    } catch (error) {
      if (attempt >= 4) throw error;
    }
  }
  // A test process that dies without its afterAll must not leave a server behind.
  const killOnExit = () => child?.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running) return;
    const done = exited(running);
    running.kill("SIGTERM");
    await done;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    stop,
    async start() {
      if (child) return;
      child = await launch(port, dir, args);
    },
    async close() {
      await stop();
      process.off("exit", killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
