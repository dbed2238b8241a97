// Properties over arbitrary input: validation is total, its errors always land on a block
// that exists, escaping is lossless and cannot be broken out of, and no request content
// can push a message over a Slack limit or ping anybody.
import type { InputBlock } from "@slack/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HybridClientRequest, RequestStatus } from "../../src/requests/model.js";
import {
  MAX_URLS,
  type RawClientForm,
  type RawSecretForm,
  validateClientForm,
  validateSecretForm,
} from "../../src/requests/validation.js";
import { buildApprovalMessage } from "../../src/slack/approval/message.js";
import { truncate } from "../../src/slack/kit/limits.js";
import { code, escapeMrkdwn } from "../../src/slack/kit/mrkdwn.js";
import { buildClientFormView, clientFormErrors } from "../../src/slack/request-form/client-pane.js";
import { buildSecretFormView, secretFormErrors } from "../../src/slack/request-form/secret-pane.js";
import { buildRequesterUpdate } from "../../src/slack/requester/messages.js";
import { buildCreatedDm } from "../../src/slack/reveal/messages.js";
import { limitViolations } from "../support/block-limits.js";

const RUNS = { numRuns: 300 };

/** Characters that matter to mrkdwn and to cutting text, including a lone surrogate. */
const tricky = fc.constantFrom(
  "&",
  "<",
  ">",
  ";",
  "a",
  "m",
  "p",
  "l",
  "t",
  "g",
  "#",
  "`",
  "\n",
  " ",
  "😀",
  "\uD83D",
  "|",
  "!",
  "@",
  "*",
);
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ unit: tricky, maxLength: 400 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 200 }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
// Mostly well-formed lists (so the valid path is exercised too), sometimes anything at all.
const goodUrl = fc.oneof(
  fc.webUrl({ withQueryParameters: true }),
  fc.constantFrom(
    "myapp://callback",
    "com.example.app:/oauth2redirect",
    "http://localhost:3000/cb",
  ),
);
const badUrl = fc.oneof(
  fc.webUrl({ withFragments: true }),
  fc.constantFrom("javascript:alert(1)", "localhost:3000/cb", "https://", "", "  ", "not a url"),
  text,
);
const urlLines = fc
  .oneof(
    { weight: 3, arbitrary: fc.array(goodUrl, { minLength: 1, maxLength: 12 }) },
    { weight: 1, arbitrary: fc.array(fc.oneof(goodUrl, badUrl), { maxLength: 14 }) },
  )
  .map((lines) => lines.join("\n"));
const sometimes = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: maybe(text) });

const rawClientForm: fc.Arbitrary<RawClientForm> = fc.record(
  {
    name: sometimes(fc.string({ minLength: 1, maxLength: 210 })),
    allowRefreshToken: fc.boolean(),
    redirectUris: maybe(urlLines),
    logoutRedirectUris: maybe(urlLines),
    tokenLifetime: fc.oneof(
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 5000 }).map(String),
      fc.integer(),
      fc.double(),
      text,
      fc.constant(null),
    ),
    reminderChannel: sometimes(fc.constantFrom("C0TEAM", "G0PRIVATE")),
    reason: maybe(fc.oneof(text, fc.string({ minLength: 1990, maxLength: 2010 }))),
  },
  { requiredKeys: [] },
);

const rawSecretForm: fc.Arbitrary<RawSecretForm> = fc.record(
  {
    description: maybe(text),
    expirationDate: maybe(
      fc.oneof(
        text,
        fc
          .date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
      ),
    ),
    neverExpires: fc.boolean(),
  },
  { requiredKeys: [] },
);

const inputBlockIds = (blocks: readonly { type: string }[]) =>
  new Set(blocks.filter((b): b is InputBlock => b.type === "input").map((b) => b.block_id));

describe("validation is total", () => {
  const clientBlocks = inputBlockIds(buildClientFormView({ requestKey: "k" }).blocks);
  const secretBlocks = inputBlockIds(
    buildSecretFormView({ requestKey: "k", defaultExpiration: "2030-01-01" }).blocks,
  );

  it("validateClientForm never throws, and every error lands on a block in pane 1", () => {
    fc.assert(
      fc.property(rawClientForm, (raw) => {
        const result = validateClientForm(raw);
        if (result.ok) {
          const v = result.value;
          expect(v.name).toBe(v.name.trim());
          expect(v.name.length).toBeGreaterThan(0);
          expect(v.name.length).toBeLessThanOrEqual(200);
          expect(v.redirectUris.length).toBeGreaterThan(0);
          for (const list of [v.redirectUris, v.postLogoutRedirectUris]) {
            expect(list.length).toBeLessThanOrEqual(MAX_URLS);
            expect(new Set(list).size).toBe(list.length);
            for (const url of list) {
              expect(url).not.toContain("#");
              expect(() => new URL(url)).not.toThrow();
            }
          }
          expect(Number.isInteger(v.accessTokenLifetime)).toBe(true);
          expect(v.accessTokenLifetime).toBeGreaterThanOrEqual(60);
          expect(v.accessTokenLifetime).toBeLessThanOrEqual(3600);
        } else {
          const byBlock = clientFormErrors(result.errors);
          expect(Object.keys(byBlock).length).toBe(Object.keys(result.errors).length);
          for (const blockId of Object.keys(byBlock)) expect(clientBlocks.has(blockId)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("validateClientForm survives input of the wrong types entirely", () => {
    fc.assert(
      fc.property(fc.anything(), (junk) => {
        expect(() => validateClientForm(junk as RawClientForm)).not.toThrow();
        expect(() => validateSecretForm(junk as RawSecretForm, new Date())).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it("validateSecretForm never throws, and every error lands on a block in pane 2", () => {
    fc.assert(
      fc.property(rawSecretForm, fc.date({ noInvalidDate: false }), (raw, now) => {
        const result = validateSecretForm(raw, now);
        if (result.ok) {
          if (raw.neverExpires) expect(result.value.expiration).toBeNull();
          else expect(result.value.expiration).toMatch(/^\d{4}-\d{2}-\d{2}T23:59:59\.000Z$/);
        } else {
          for (const blockId of Object.keys(secretFormErrors(result.errors)))
            expect(secretBlocks.has(blockId)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

const unescapeMrkdwn = (s: string) =>
  s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const BARE_AMPERSAND = /&(?!(amp|lt|gt);)/;
const endsInHalfPair = (s: string) => /[\uD800-\uDBFF]$/.test(s);

describe("escaping", () => {
  it("leaves no control character and loses nothing", () => {
    fc.assert(
      fc.property(text, (t) => {
        const e = escapeMrkdwn(t);
        expect(e).not.toMatch(/[<>]/);
        expect(e).not.toMatch(BARE_AMPERSAND);
        expect(unescapeMrkdwn(e)).toBe(t);
      }),
      RUNS,
    );
  });

  it("cuts after escaping without breaking an entity or a surrogate pair", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 300 }), (t, max) => {
        const e = escapeMrkdwn(t, max);
        expect(e.length).toBeLessThanOrEqual(max);
        expect(e).not.toMatch(/[<>]/);
        expect(e).not.toMatch(BARE_AMPERSAND);
        if (e === escapeMrkdwn(t)) return;
        expect(e.endsWith("…")).toBe(true);
        const body = e.slice(0, -1);
        expect(endsInHalfPair(body)).toBe(false);
        expect(t.startsWith(unescapeMrkdwn(body))).toBe(true);
      }),
      // Found by this property once: a lone surrogate right before a cut entity.
      {
        ...RUNS,
        examples: [
          ["\uD83D&", 3],
          // Found once more: a lone surrogate typed before an emoji, cut inside the emoji.
          ["\uD83D\uD83D\uDE00&", 3],
          ["&", 2],
          ["a<b", 5],
        ],
      },
    );
  });

  it("inline code cannot be closed early", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 3, max: 300 }), (t, max) => {
        const c = code(t, max);
        expect(c.length).toBeLessThanOrEqual(max);
        if (c === "") return;
        expect(c.startsWith("`") && c.endsWith("`")).toBe(true);
        expect(c.slice(1, -1)).not.toMatch(/[`\n<>]/);
      }),
      RUNS,
    );
  });

  it("truncate never exceeds max nor splits a pair", () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 300 }), (t, max) => {
        const cut = truncate(t, max);
        expect(cut.length).toBeLessThanOrEqual(max);
        if (t.length <= max) expect(cut).toBe(t);
        else if (max > 0) {
          const body = cut.slice(0, -1);
          expect(cut.endsWith("…")).toBe(true);
          expect(t.startsWith(body)).toBe(true);
          expect(endsInHalfPair(body)).toBe(false);
        }
      }),
      RUNS,
    );
  });
});

describe("messages hold whatever a request holds", () => {
  const status = fc.constantFrom<RequestStatus>(
    "pending",
    "creating",
    "created",
    "failed",
    "denied",
    "cancelled",
    "expired",
  );
  const request = fc.record({
    status,
    kind: fc.constantFrom("new-client" as const, "new-secret" as const),
    name: text,
    reason: fc.oneof(text, fc.string({ unit: tricky, minLength: 1500, maxLength: 2000 })),
    description: text,
    urls: fc.array(fc.string({ unit: tricky, maxLength: 300 }), { maxLength: 10 }),
    error: text,
    expiration: fc.option(text, { nil: null }),
  });

  it("stay within every limit and link only what the bot put there", () => {
    fc.assert(
      fc.property(request, (p) => {
        const r: HybridClientRequest = {
          id: "req-1",
          kind: p.kind,
          status: p.status,
          requesterId: "U0REQ",
          reason: p.reason,
          clientId: "c-1",
          client: {
            name: p.name,
            allowOfflineAccess: false,
            redirectUris: p.urls,
            postLogoutRedirectUris: p.urls,
            accessTokenLifetime: 3600,
          },
          secret: { description: p.description, expiration: p.expiration },
          reminderChannel: "C0TEAM",
          createdAt: 1_770_000_000_000,
          expiresAt: 1_770_086_400_000,
          approvalsRequired: 2,
          approvals: [{ userId: "U0ALICE", at: 1_770_000_000_000 }],
          denial: { userId: "U0BOB", at: 1_770_000_000_000, reason: p.reason },
          error: { message: p.error, operationId: p.error, at: 1_770_000_000_000 },
          reveal: "ready",
          updatedAt: 1_770_000_000_001,
        };
        for (const m of [
          buildApprovalMessage(r, { approvalsRequired: 2 }),
          buildRequesterUpdate(r),
          buildCreatedDm(r),
        ]) {
          expect(limitViolations(m)).toEqual([]);
          expect(JSON.stringify(m)).not.toMatch(
            /<(?!@U0REQ>|@U0ALICE>|@U0BOB>|#C0TEAM>|!date\^\d+\^)/,
          );
        }
      }),
      { numRuns: 200 },
    );
  });
});
