// OPS_PORT: the ops routes' own port, 9091 unless set, and never the same as PORT in HTTP mode.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";

const valid = {
  SLACK_BOT_TOKEN: "xoxb-1-abc",
  SLACK_SIGNING_SECRET: "shh-signing-secret",
  ADH_TENANT_ID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
  ADH_CLIENT_ID: "bot-client",
  ADH_CLIENT_SECRET: "very-secret-value",
  APPROVAL_CHANNEL: "C0123ABCD",
  APPROVERS: "U01AAA",
};

describe("OPS_PORT", () => {
  it("defaults to 9091, beside PORT's 3000", () => {
    const result = parseConfig(valid);
    expect(result.ok && { port: result.config.port, opsPort: result.config.opsPort }).toEqual({
      port: 3000,
      opsPort: 9091,
    });
  });

  it("is refused when it equals PORT in HTTP mode, naming OPS_PORT", () => {
    const result = parseConfig({ ...valid, PORT: "8080", OPS_PORT: "8080" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/OPS_PORT: must differ from PORT/);
  });

  it("is refused when it is not a port number", () => {
    const result = parseConfig({ ...valid, OPS_PORT: "ninety" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("OPS_PORT");
  });
});
