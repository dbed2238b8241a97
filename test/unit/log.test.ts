import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, slackLogger } from "../../src/log.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination }) };
}

describe("log redaction", () => {
  it("prints neither a token nor a client secret", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        headers: { authorization: "Bearer eyJhbGciOi.access.token" },
        body: { client_secret: "adh-client-secret-1", access_token: "tok-2" },
        response: { Secret: "hybrid-secret-3", ClientSecret: "hybrid-secret-4" },
        config: { slackBotToken: "xoxb-5-abc", slackSigningSecret: "sign-6" },
      },
      "calling ADH",
    );
    const out = lines.join("");
    for (const leaked of [
      "eyJhbGciOi.access.token",
      "adh-client-secret-1",
      "tok-2",
      "hybrid-secret-3",
      "hybrid-secret-4",
      "xoxb-5-abc",
      "sign-6",
    ]) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain("[Redacted]");
    expect(out).toContain("calling ADH");
  });

  it("scrubs token shapes from free text, including the Slack SDK's debug lines", () => {
    const { lines, logger } = capture();
    logger.debug("token xoxb-111-222-abc and Bearer abc.def.ghi in a message");
    slackLogger(logger).debug("apiCall args", { token: "xoxb-999-888-zzz" });
    const out = lines.join("");
    expect(out).not.toContain("xoxb-111-222-abc");
    expect(out).not.toContain("abc.def.ghi");
    expect(out).not.toContain("xoxb-999-888-zzz");
  });

  it("redacts secret keys in any letter case, four levels down, and in child bindings", () => {
    const { lines, logger } = capture();
    const original = {
      a: { b: { c: { ClientSecret: "deep-secret-1", AUTHORIZATION: "Bearer deep-2" } } },
    };
    logger
      .child({ client_secret: "bound-secret-3" })
      .info({ call: original, list: [{ secret: "in-array-4" }] }, "x");
    const out = lines.join("");
    for (const leaked of ["deep-secret-1", "deep-2", "bound-secret-3", "in-array-4"]) {
      expect(out).not.toContain(leaked);
    }
    // The caller's object is not modified.
    expect(original.a.b.c.ClientSecret).toBe("deep-secret-1");
  });

  it("gives child loggers the request id", () => {
    const { lines, logger } = capture();
    logger.child({ requestId: "R1" }).info("hello");
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ requestId: "R1", msg: "hello" });
  });
});
