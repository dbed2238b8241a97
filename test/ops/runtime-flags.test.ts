import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("the production command line", () => {
  it("runs the compiled bot with the same V8 heap flags in npm start and in the Docker image", () => {
    const start = (JSON.parse(read("package.json")) as { scripts: { start: string } }).scripts
      .start;
    const startFlags = start.split(/\s+/).filter((w) => w.startsWith("--"));
    const cmd = read("Dockerfile").match(/^CMD (\[.*\])$/m)?.[1];
    expect(cmd).toBeDefined();
    const cmdFlags = (JSON.parse(cmd ?? "[]") as string[]).filter((w) => w.startsWith("--"));
    expect(startFlags).toContain("--max-semi-space-size=4");
    expect(cmdFlags).toEqual(startFlags);
  });
});
