// Private Redis deployments for the HA suites, each on free ports in temporary directories:
// a Sentinel group (master, replica, three sentinels) and a three-master Cluster. Only the
// processes started here are stopped.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "../support/harness.js";
import { type PrivateRedis, startRedisServer } from "../support/redis-server.js";

const run = promisify(execFile);
export const MASTER_NAME = "hcbmaster";

function waitFor(child: ChildProcess, ready: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.off("exit", onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`${what} exited (${code}):\n${output}`));
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.once("exit", onExit);
  });
}

export interface SentinelGroup {
  master: PrivateRedis;
  replica: PrivateRedis;
  sentinels: string[];
  /** Port of the master the sentinels name now. */
  masterPort(): Promise<number>;
  close(): Promise<void>;
}

export async function startSentinelGroup(): Promise<SentinelGroup> {
  const master = await startRedisServer();
  const replica = await startRedisServer(["--replicaof", "127.0.0.1", String(master.port)]);
  const dir = await mkdtemp(join(tmpdir(), "hcb-sentinel-"));
  const children: ChildProcess[] = [];
  const sentinels: string[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const file = join(dir, `sentinel-${i}.conf`);
    await writeFile(
      file,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
        `sentinel failover-timeout ${MASTER_NAME} 3000`,
        `sentinel parallel-syncs ${MASTER_NAME} 1`,
        "",
      ].join("\n"),
    );
    const child = spawn("redis-server", [file, "--sentinel"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    await waitFor(child, /monitor master/, `sentinel ${i}`);
    sentinels.push(`127.0.0.1:${port}`);
  }
  // A failover needs the sentinels to know the replica (they learn it from the master's
  // INFO) and the replica to be in sync; wait for both so a test never races them.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { stdout } = await run("redis-cli", ["-p", String(replica.port), "info", "replication"]);
    const known = await Promise.all(
      sentinels.map(async (address) => {
        const port = address.split(":")[1] ?? "";
        const out = await run("redis-cli", ["-p", port, "sentinel", "replicas", MASTER_NAME]);
        return out.stdout.includes(String(replica.port));
      }),
    );
    if (/master_link_status:up/.test(stdout) && known.every(Boolean)) break;
    if (Date.now() > deadline) throw new Error("the sentinels never saw the replica in sync");
    await new Promise((r) => setTimeout(r, 100));
  }
  const killAll = () => {
    for (const c of children) c.kill("SIGKILL");
  };
  process.once("exit", killAll);
  return {
    master,
    replica,
    sentinels,
    async masterPort() {
      const [host, port] = (sentinels[0] ?? "").split(":");
      const s = new Redis({ host, port: Number(port), lazyConnect: true });
      try {
        await s.connect();
        const reply = (await s.call(
          "SENTINEL",
          "get-master-addr-by-name",
          MASTER_NAME,
        )) as string[];
        return Number(reply[1]);
      } finally {
        s.disconnect();
      }
    },
    async close() {
      for (const c of children) {
        if (c.exitCode === null && c.signalCode === null) {
          const done = new Promise((r) => c.once("exit", r));
          c.kill("SIGTERM");
          await done;
        }
      }
      process.off("exit", killAll);
      await Promise.all([master.close(), replica.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  nodes: PrivateRedis[];
  /** host:port of every master, for REDIS_CLUSTER_NODES. */
  addresses: string[];
  close(): Promise<void>;
}

export async function startCluster(): Promise<RedisCluster> {
  const nodes = await Promise.all(
    [0, 1, 2].map(() =>
      startRedisServer(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"]),
    ),
  );
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  try {
    await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-yes"], {
      timeout: 20_000,
    });
    // Wait until every node agrees the cluster is up.
    const deadline = Date.now() + 15_000;
    for (const node of nodes) {
      for (;;) {
        const { stdout } = await run("redis-cli", ["-p", String(node.port), "cluster", "info"]);
        if (/cluster_state:ok/.test(stdout)) break;
        if (Date.now() > deadline) throw new Error(`cluster not ok on ${node.port}:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.close()));
    throw error;
  }
  return {
    nodes,
    addresses,
    async close() {
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}
