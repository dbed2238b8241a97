// The Dockerfile's build and run steps, replayed outside Docker by scripts/docker-steps.sh:
// install, build, prune to production dependencies, start the compiled bot against the
// fakes and the real Redis, pass the HEALTHCHECK, exit 0 on SIGTERM.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startFakeAdh } from "../fakes/adh.js";
import { startFakeSlack } from "../fakes/slack.js";
import { deletePrefix, TEST_REDIS_URL, testPrefix } from "../support/redis.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const dockerfile = readFileSync(join(root, "Dockerfile"), "utf8");

/** The instructions of the last stage (the runtime image). */
function runtimeStage(): string[] {
  const lines = dockerfile
    .replace(/\\\n/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const lastFrom = lines.map((l) => /^FROM /i.test(l)).lastIndexOf(true);
  return lines.slice(lastFrom);
}

/** Runs a process without blocking this one: the fakes it talks to live in this event loop. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

const runScript = (cwd: string, args: string[]) =>
  run("bash", [join(cwd, "scripts/docker-steps.sh"), ...args], { cwd });

/** A throwaway project (not a git checkout) holding the real script and the given files. */
async function replayIn(files: Record<string, string>, args = ["--build-only"]) {
  const dir = mkdtempSync(join(tmpdir(), "hcb-docker-fixture-"));
  try {
    const all = {
      "scripts/docker-steps.sh": readFileSync(join(root, "scripts/docker-steps.sh"), "utf8"),
      ...files,
    };
    for (const [path, text] of Object.entries(all)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return await runScript(dir, args);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseEnvFile(text: string): Record<string, string> {
  const entries = text
    .split("\n")
    .filter((l) => l.includes("=") && !l.startsWith("#"))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const);
  return Object.fromEntries(entries);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("Dockerfile", () => {
  it("builds in one stage and runs as a non-root user with production settings in another", () => {
    // Node 24 LTS in both stages: Node 20 is past its end of life (issue 15).
    expect(dockerfile).toMatch(/^FROM node:24-[a-z]+-slim AS build$/m);
    const runtime = runtimeStage();
    expect(runtime[0]).toMatch(/^FROM node:24-[a-z]+-slim$/);
    expect(runtime).toContain("ENV NODE_ENV=production");
    expect(runtime).toContain("USER node");
    expect(runtime).toContain("EXPOSE 3000");
    // The probe goes to the ops port: PORT serves Slack only.
    const probe = runtime.find((l) => l.startsWith("HEALTHCHECK ")) ?? "";
    expect(probe).toContain("/healthz");
    expect(probe).toContain("process.env.OPS_PORT||9091");
    // The heap flags are npm start's (runtime-flags.test.ts keeps the two in step).
    expect(runtime.at(-1)).toMatch(/^CMD \["node", ("--[a-z-]+=\d+", )*"dist\/main\.js"\]$/);
    // Only build output and production dependencies reach the runtime image.
    for (const l of runtime.filter((x) => x.startsWith("COPY")))
      expect(l).toContain("--from=build");
  });

  it("bakes in no secrets and keeps .env out of the build context", () => {
    expect(dockerfile).not.toMatch(/^(ENV|ARG)\s+\S*(TOKEN|SECRET|PASSWORD)/im);
    expect(dockerfile).not.toMatch(/COPY\s+.*\.env/);
    const ignored = readFileSync(join(root, ".dockerignore"), "utf8").split("\n");
    for (const entry of [".env", "node_modules", "dist", ".git", "test"])
      expect(ignored).toContain(entry);
  });

  it.skipIf(!existsSync(join(root, "src/main.ts")))(
    "install, build, prune, start the compiled bot, pass the health check, exit 0 on SIGTERM",
    async () => {
      const slack = await startFakeSlack();
      const adh = await startFakeAdh();
      const prefix = testPrefix("docker");
      const dir = mkdtempSync(join(tmpdir(), "hcb-docker-env-"));
      let kept: string | undefined;
      try {
        slack.addChannel("C0APPROVALS");
        slack.addUser({ id: "U0APPROVER", name: "approver" });
        const envFile = join(dir, "bot.env");
        writeFileSync(
          envFile,
          [
            "# docker run --env-file format",
            `PORT=${await freePort()}`,
            `SLACK_BOT_TOKEN=${slack.botToken}`,
            `SLACK_SIGNING_SECRET=${"s".repeat(32)}`,
            `SLACK_API_URL=${slack.url}`,
            `ADH_BASE_URL=${adh.url}`,
            `ADH_TENANT_ID=${adh.tenantId}`,
            `ADH_CLIENT_ID=${adh.clientId}`,
            `ADH_CLIENT_SECRET=${adh.clientSecret}`,
            `REDIS_URL=${TEST_REDIS_URL}`,
            `REDIS_KEY_PREFIX=${prefix}`,
            "APPROVAL_CHANNEL=C0APPROVALS",
            "APPROVERS=U0APPROVER",
            "LOG_LEVEL=warn",
            "",
          ].join("\n"),
        );
        const { code, output } = await runScript(root, ["--env-file", envFile, "--keep"]);
        kept = /^--- kept (.+)$/m.exec(output)?.[1];
        expect(code, output).toBe(0);
        expect(output).toContain("none in the image");
        expect(output).toContain("run steps passed: healthy, then exit 0 on SIGTERM");
        // The compiled bot really talked to the fake Slack with the environment it was given.
        expect(slack.callsTo("auth.test").length).toBeGreaterThan(0);

        // The doctor in the image finds the manifest from dist/ (docker run … node dist/doctor.js).
        const lastStage = [...output.matchAll(/^--- stage (\d+):/gm)].at(-1)?.[1];
        const doctor = await run(process.execPath, ["dist/doctor.js"], {
          cwd: join(kept ?? "", `stage-${lastStage}`, "app"),
          env: { PATH: process.env.PATH, ...parseEnvFile(readFileSync(envFile, "utf8")) },
        });
        expect(doctor.output).toContain("✔ configuration\n");
        expect(doctor.output).toContain("✔ Slack token has the scopes of manifest/manifest.json");
      } finally {
        rmSync(dir, { recursive: true, force: true });
        if (kept?.includes("hcb-docker-steps.")) rmSync(kept, { recursive: true, force: true });
        await Promise.all([slack.close(), adh.close()]);
        await deletePrefix(prefix);
      }
    },
    180_000,
  );
});

describe("scripts/docker-steps.sh", () => {
  const dockerignore = readFileSync(join(root, ".dockerignore"), "utf8");

  it("builds from a context that .dockerignore filters: no .env, no docs, but the README", async () => {
    const base = {
      ".dockerignore": dockerignore,
      ".env": "SLACK_BOT_TOKEN=xoxb-never-in-an-image",
      "README.md": "# readme",
      "docs/notes.md": "notes",
      "package-lock.json": "{}",
    };
    const readme = await replayIn({
      ...base,
      Dockerfile: "FROM node:24-bookworm-slim\nWORKDIR /app\nCOPY README.md ./\nCOPY .env ./\n",
    });
    expect(readme.code).toBe(1);
    expect(readme.output).toContain("--- COPY README.md ./\n--- COPY .env ./");
    expect(readme.output).toContain("COPY source not found: .env");
    const docs = await replayIn({
      ...base,
      Dockerfile: "FROM node:24-bookworm-slim\nWORKDIR /app\nCOPY docs ./docs\n",
    });
    expect(docs.output).toContain("COPY source not found: docs");
  });

  it("refuses an instruction it cannot replay instead of skipping it", async () => {
    const { code, output } = await replayIn({
      Dockerfile: "FROM node:24-bookworm-slim\nVOLUME /data\n",
    });
    expect(code).toBe(1);
    expect(output).toContain("instruction not understood, so it cannot be replayed: VOLUME");
  });

  it("fails when a dev-only package of the lockfile reaches the runtime stage", async () => {
    const { code, output } = await replayIn({
      "package-lock.json": JSON.stringify({
        packages: {
          "": { name: "fixture" },
          "node_modules/runtime-dep": {},
          "node_modules/dev-only-dep": { dev: true },
        },
      }),
      Dockerfile: [
        "FROM node:24-bookworm-slim AS build",
        "WORKDIR /app",
        "COPY package-lock.json ./",
        "RUN mkdir -p node_modules/runtime-dep node_modules/dev-only-dep",
        "FROM node:24-bookworm-slim",
        "WORKDIR /app",
        "COPY --from=build /app/node_modules ./node_modules",
        "",
      ].join("\n"),
    });
    expect(code).toBe(1);
    expect(output).toContain("dev-only packages in the runtime image: node_modules/dev-only-dep");
  });
});
