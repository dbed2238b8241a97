import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config.js";
import {
  approvalsNeeded,
  checkRedirectPolicy,
  checkSecretPolicy,
  hostMatches,
  normalizeHostSuffix,
  PORTAL_POLICY,
  type Policy,
  secretExpiryOf,
} from "../../src/requests/policy.js";

const policy = (overrides: Partial<Policy>): Policy => ({ ...PORTAL_POLICY, ...overrides });
const NOW = new Date("2026-03-10T15:30:00Z");
const codes = (urls: string[], p: Policy) => checkRedirectPolicy(urls, p).map((r) => r.code);

describe("secret policy", () => {
  it("refuses an expiry beyond MAX_SECRET_DAYS and allows the last day itself", () => {
    const p = policy({ maxSecretDays: 90 });
    expect(checkSecretPolicy(secretExpiryOf("2026-06-08"), p, NOW)).toEqual({
      ok: true,
      extraApproval: false,
    });
    expect(checkSecretPolicy(secretExpiryOf("2026-06-09"), p, NOW)).toEqual({
      ok: false,
      code: "expiry-beyond-max-days",
      maxDays: 90,
    });
  });

  it("refuses never-expiring under deny, asks one more approval under extra-approval", () => {
    expect(checkSecretPolicy({ never: true }, policy({ neverExpires: "deny" }), NOW)).toEqual({
      ok: false,
      code: "never-expires-denied",
    });
    expect(
      checkSecretPolicy({ never: true }, policy({ neverExpires: "extra-approval" }), NOW),
    ).toEqual({ ok: true, extraApproval: true });
    expect(checkSecretPolicy({ never: true }, PORTAL_POLICY, NOW)).toEqual({
      ok: true,
      extraApproval: false,
    });
    // MAX_SECRET_DAYS does not turn "never" into a refusal: NEVER_EXPIRES decides that.
    expect(checkSecretPolicy({ never: true }, policy({ maxSecretDays: 1 }), NOW).ok).toBe(true);
  });

  it("extra-approval needs one more distinct approval only for never-expiring secrets", () => {
    const p = policy({ neverExpires: "extra-approval" });
    expect(approvalsNeeded(2, p, true)).toBe(3);
    expect(approvalsNeeded(2, p, false)).toBe(2);
    expect(approvalsNeeded(2, policy({ neverExpires: "allow" }), true)).toBe(2);
  });

  it("property: a date is refused exactly when it is more than MAX_SECRET_DAYS days away", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3650 }),
        fc.integer({ min: 0, max: 4000 }),
        (max, d) => {
          const date = new Date(Date.UTC(2026, 2, 10 + d));
          const result = checkSecretPolicy(
            { expiresAt: date },
            policy({ maxSecretDays: max }),
            NOW,
          );
          expect(result.ok).toBe(d <= max);
        },
      ),
    );
  });
});

describe("redirect policy", () => {
  it("allows the suffix and its subdomains, never a look-alike", () => {
    const p = policy({ allowedRedirectHosts: ["example.com"] });
    expect(
      codes(
        [
          "https://example.com/cb",
          "https://app.example.com/cb",
          "https://a.b.example.com:8443/cb",
          "https://APP.Example.COM./cb",
        ],
        p,
      ),
    ).toEqual([]);
    expect(checkRedirectPolicy(["https://ok.example.com", "https://badexample.com/cb"], p)).toEqual(
      [{ index: 1, url: "https://badexample.com/cb", code: "host-not-allowed" }],
    );
    expect(codes(["https://example.com.evil.net/", "https://evil.net/?example.com"], p)).toEqual([
      "host-not-allowed",
      "host-not-allowed",
    ]);
  });

  it("http only for loopback under REQUIRE_HTTPS_REDIRECTS", () => {
    const p = policy({ requireHttpsRedirects: true });
    expect(
      codes(["http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb"], p),
    ).toEqual([]);
    expect(codes(["http://app.example.com/cb", "http://localhost.evil.net/"], p)).toEqual([
      "not-https",
      "not-https",
    ]);
    expect(codes(["http://app.example.com/cb"], PORTAL_POLICY)).toEqual([]);
  });

  it("custom schemes pass with no rule and are refused under either rule", () => {
    expect(codes(["myapp://cb", "com.example.app:/cb"], PORTAL_POLICY)).toEqual([]);
    expect(codes(["myapp://cb"], policy({ requireHttpsRedirects: true }))).toEqual([
      "custom-scheme-not-allowed",
    ]);
    expect(
      codes(["myapp://example.com/cb"], policy({ allowedRedirectHosts: ["example.com"] })),
    ).toEqual(["custom-scheme-not-allowed"]);
    expect(codes(["not a url"], PORTAL_POLICY)).toEqual(["not-a-url"]);
  });

  it("compares IDN hosts on their punycode form", () => {
    const suffix = normalizeHostSuffix("bücher.example");
    expect(suffix).toBe("xn--bcher-kva.example");
    const p = policy({ allowedRedirectHosts: [suffix as string] });
    expect(
      codes(["https://shop.bücher.example/cb", "https://shop.xn--bcher-kva.example/cb"], p),
    ).toEqual([]);
    // A Cyrillic "е" look-alike of example.com is a different host.
    expect(
      codes(["https://app.\u0435xample.com/cb"], policy({ allowedRedirectHosts: ["example.com"] })),
    ).toEqual(["host-not-allowed"]);
  });

  it("property: a host is allowed iff it equals the suffix or ends with '.' + suffix", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/);
    fc.assert(
      fc.property(
        fc.array(label, { minLength: 1, maxLength: 4 }),
        label,
        label,
        (parts, extra, base) => {
          const suffix = `${base}.com`;
          const host = [...parts, "com"].join(".");
          const p = policy({ allowedRedirectHosts: [suffix] });
          const expected = host === suffix || host.endsWith(`.${suffix}`);
          expect(codes([`https://${host}/cb`], p).length === 0).toBe(expected);
          expect(hostMatches(`${extra}${suffix}`, suffix)).toBe(false);
          expect(hostMatches(`${extra}.${suffix}`, suffix)).toBe(true);
        },
      ),
    );
  });
});

describe("policy settings", () => {
  const valid = {
    SLACK_BOT_TOKEN: "xoxb-1",
    SLACK_APP_TOKEN: "xapp-1",
    ADH_TENANT_ID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    ADH_CLIENT_ID: "id",
    ADH_CLIENT_SECRET: "secret",
    APPROVAL_CHANNEL: "C0123ABCD",
    APPROVERS: "U01AAA",
  };

  it("defaults to the portal's behaviour", () => {
    const result = parseConfig(valid);
    if (!result.ok) throw new Error(result.message);
    expect(result.config).toMatchObject({
      maxSecretDays: undefined,
      neverExpires: "allow",
      allowedRedirectHosts: [],
      requireHttpsRedirects: false,
      auditRetentionDays: 400,
      auditWebhookUrl: undefined,
    });
  });

  it("reads the policy, host suffixes in punycode", () => {
    const result = parseConfig({
      ...valid,
      MAX_SECRET_DAYS: "90",
      NEVER_EXPIRES: "Extra-Approval",
      ALLOWED_REDIRECT_HOSTS: "example.com, .Bücher.example,*.corp.net",
      REQUIRE_HTTPS_REDIRECTS: "true",
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.config).toMatchObject({
      maxSecretDays: 90,
      neverExpires: "extra-approval",
      allowedRedirectHosts: ["example.com", "xn--bcher-kva.example", "corp.net"],
      requireHttpsRedirects: true,
    });
  });

  it("a bad policy value stops start-up with a clear message", () => {
    const result = parseConfig({
      ...valid,
      MAX_SECRET_DAYS: "ninety",
      NEVER_EXPIRES: "sometimes",
      ALLOWED_REDIRECT_HOSTS: "example.com,https://x.com/path",
      REQUIRE_HTTPS_REDIRECTS: "maybe",
      AUDIT_RETENTION_DAYS: "0",
      AUDIT_WEBHOOK_URL: "https://siem.example.com/hook",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain("MAX_SECRET_DAYS: expected a whole number of days");
    expect(result.message).toContain("NEVER_EXPIRES: expected allow, deny or extra-approval");
    expect(result.message).toContain("ALLOWED_REDIRECT_HOSTS: expected comma-separated host names");
    expect(result.message).toContain("https://x.com/path");
    expect(result.message).toContain("REQUIRE_HTTPS_REDIRECTS: expected true or false");
    expect(result.message).toContain("AUDIT_RETENTION_DAYS: expected a whole number from 1");
    expect(result.message).toContain("AUDIT_WEBHOOK_SECRET: is required with AUDIT_WEBHOOK_URL");
  });
});

describe("audit webhook setting", () => {
  it("takes only an http(s) URL", () => {
    const result = parseConfig({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_APP_TOKEN: "xapp-1",
      ADH_TENANT_ID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      ADH_CLIENT_ID: "id",
      ADH_CLIENT_SECRET: "secret",
      APPROVAL_CHANNEL: "C0123ABCD",
      APPROVERS: "U01AAA",
      AUDIT_WEBHOOK_URL: "redis://siem:6379",
      AUDIT_WEBHOOK_SECRET: "shared",
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain("AUDIT_WEBHOOK_URL: expected an http(s) URL");
  });
});

describe("npm run doctor", () => {
  it("prints the policy in force on its configuration line", async () => {
    const { policySummary } = await import("../../src/doctor.js");
    const result = parseConfig({
      SLACK_BOT_TOKEN: "xoxb-1",
      SLACK_APP_TOKEN: "xapp-1",
      ADH_TENANT_ID: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
      ADH_CLIENT_ID: "id",
      ADH_CLIENT_SECRET: "secret",
      APPROVAL_CHANNEL: "C0123ABCD",
      APPROVERS: "U01AAA",
      APPROVALS_REQUIRED: "2",
      MAX_SECRET_DAYS: "90",
      NEVER_EXPIRES: "extra-approval",
      ALLOWED_REDIRECT_HOSTS: "example.com",
    });
    if (!result.ok) throw new Error(result.message);
    expect(policySummary(result.config)).toBe(
      "MAX_SECRET_DAYS=90, NEVER_EXPIRES=extra-approval (3 approvals), ALLOWED_REDIRECT_HOSTS=example.com, REQUIRE_HTTPS_REDIRECTS=false, AUDIT_RETENTION_DAYS=400, audit webhook off",
    );
  });
});
