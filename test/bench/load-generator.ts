// The benchmark's handle on the load generator child process: starts it, hands it runs,
// and mints trigger ids and response_urls on the fake Slack when it asks for them.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FromGenerator, MintedIds, RunResult, RunSpec, ToGenerator } from "./load-protocol.js";

const CHILD = fileURLToPath(new URL("./load-generator-child.ts", import.meta.url));

export class LoadGenerator {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (r: RunResult) => void; reject: (e: Error) => void }
  >();
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    mint: () => MintedIds,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.on("message", (message: FromGenerator) => {
      if (message.type === "mint") {
        const items = Array.from({ length: message.count }, mint);
        this.post({ type: "minted", items });
      } else if (message.type === "result" || message.type === "failed") {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.type === "result") waiter?.resolve(message.result);
        else waiter?.reject(new Error(`load generator: ${message.message}`));
      }
    });
  }

  /** `mint` makes one fresh trigger id and response_url on the fake Slack. */
  static async start(mint: () => MintedIds): Promise<LoadGenerator> {
    const child = fork(CHILD, [], {
      execArgv: ["--import", "tsx"],
      // NaN (a failed request) survives the trip only with the structured-clone encoding.
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    await new Promise<void>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (code) => reject(new Error(`load generator exited with ${code}`)));
      child.on("message", (m: FromGenerator) => {
        if (m.type === "ready") resolve();
      });
    });
    child.removeAllListeners("exit");
    return new LoadGenerator(child, mint);
  }

  run(spec: RunSpec): Promise<RunResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.post({ type: "run", id, spec });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    this.post({ type: "exit" });
    const forced = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await this.exited;
    clearTimeout(forced);
  }

  private post(message: ToGenerator): void {
    this.child.send(message);
  }
}
