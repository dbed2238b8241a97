// `npm run demo` as a new user runs it: exits 0 (the script itself gives up after 15 s),
// prints every step of the journey, shows the secret only in the requester's reveal
// step, and leaves no keys behind.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dumpKeys, TEST_REDIS_URL } from "../support/redis.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function runDemo(): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      REDIS_URL: TEST_REDIS_URL,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

describe("npm run demo", () => {
  it("walks request → approval → creation → reveal → reminder, then cleans up", async () => {
    const { code, output } = await runDemo();
    expect(code, output).toBe(0);

    const steps = [...output.matchAll(/^(\d)\. (.+)$/gm)].map((m) => m[2]);
    expect(steps).toEqual([
      expect.stringMatching(/^Requester .* types \/hybrid-client add and sees a form/),
      expect.stringMatching(/^Approvers in #C\w+ — see the request/),
      expect.stringMatching(/^Approver .* clicks Approve/),
      expect.stringMatching(/^Requester .* gets a direct message once ADH created the client/),
      expect.stringMatching(/^Requester .* only — clicks Reveal secret/),
      expect.stringMatching(/^The team in #C\w+ — \d+ days later, the secret has 7 days left/),
    ]);
    expect(output).toMatch(/demo complete in \d+\.\d s/);

    // The secret (the line after "Client Secret" in step 5) appears nowhere else.
    const reveal = output.slice(output.indexOf("\n5. "), output.indexOf("\n6. "));
    const secret = /Client Secret\n\s+(\S+)/.exec(reveal)?.[1];
    expect(secret).toMatch(/^[\w-]{20,}$/);
    expect(output.split(secret ?? "?").length - 1).toBe(1);

    // Its Redis keys are gone.
    const prefix = /keys under (\S+)\)/.exec(output)?.[1];
    expect(prefix).toBeTruthy();
    expect([...(await dumpKeys(prefix ?? "?")).keys()]).toEqual([]);
  }, 30_000);
});
