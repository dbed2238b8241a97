// The Slack app manifests are valid for Slack (its published JSON Schema) and ask for exactly the
// scopes the bot's Web API calls need: a missing scope fails at run time with missing_scope, an
// extra one makes the install screen ask for more than the bot uses.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LogLevel, WebClient } from "@slack/web-api";
import { Ajv } from "ajv";
import ajvFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { REQUEST_SHORTCUT } from "../src/slack/ids.js";

/**
 * The bot scopes each Web API method needs for the way the bot uses it.
 * - chat.postMessage also needs chat:write.public: the bot posts to APPROVAL_CHANNEL and to each
 *   client's reminder channel, which defaults to wherever /hybrid-client was typed. Slash commands
 *   work in channels the bot never joined, so without it a reminder would fail with
 *   not_in_channel weeks later, when nobody is watching. The scope only lets the bot post (never
 *   read) in public channels; private channels still need an invitation, which the doctor checks.
 * - conversations.info: channels:read for a public approval channel, groups:read for a private one
 *   (the doctor checks the bot is a member).
 * - users.info: users:read, plus users:read.email, without which Slack leaves profile.email out.
 * - conversations.open: im:write, to DM the requester ("Client created — Reveal secret").
 * - views.*: no scope; a trigger_id is the permission.
 */
const METHOD_SCOPES: Record<string, readonly string[]> = {
  "auth.test": [],
  "chat.postMessage": ["chat:write", "chat:write.public"],
  "chat.update": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  "chat.delete": ["chat:write"],
  "views.open": [],
  "views.update": [],
  "views.push": [],
  "views.publish": [],
  "users.info": ["users:read", "users:read.email"],
  "usergroups.users.list": ["usergroups:read"],
  "conversations.open": ["im:write"],
  "conversations.info": ["channels:read", "groups:read"],
};
/** Scopes a manifest feature needs rather than a method: the slash command needs `commands`. */
const FEATURE_SCOPES = ["commands"];
const REQUIRED_BOT_SCOPES = [
  "commands",
  "chat:write",
  "users:read",
  "users:read.email",
  "im:write",
  "usergroups:read",
  "channels:read",
  "groups:read",
];

const repo = new URL("../", import.meta.url);
// Slack's published schema (MIT, see test/fixtures/slack-manifest.LICENSE), vendored so the
// test runs offline and from any checkout; the copy in ../shared, when present, must match.
const schemaUrl = new URL("./fixtures/slack-manifest.schema.1.0.0.json", import.meta.url);
const sharedSchemaUrl = new URL(
  "../../shared/schemas/slack-manifest.schema.1.0.0.json",
  import.meta.url,
);

interface Manifest {
  display_information: { name: string; description?: string; background_color?: string };
  features: {
    bot_user: { display_name: string; always_online?: boolean };
    slash_commands: {
      command: string;
      url?: string;
      usage_hint?: string;
      should_escape?: boolean;
    }[];
    app_home?: { messages_tab_enabled?: boolean; home_tab_enabled?: boolean };
    shortcuts?: { name: string; type: string; callback_id: string; description: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
    org_deploy_enabled: boolean;
    token_rotation_enabled: boolean;
  };
}

const readJson = (url: URL): unknown => JSON.parse(readFileSync(url, "utf8"));
const manifests = {
  "manifest.json": readJson(new URL("manifest/manifest.json", repo)) as Manifest,
  "manifest.http.json": readJson(new URL("manifest/manifest.http.json", repo)) as Manifest,
};

function validator() {
  // Strict, except for the type hints Slack's own schema leaves out on a few nested keywords.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  // ajv-formats is CommonJS: under nodenext its default export is the `default` property.
  ajvFormats.default(ajv);
  // Slack's schema annotates with `_note` and writes one pattern as `regex`: keep strict mode for
  // everything else, and enforce `regex` as the pattern it is meant to be.
  ajv.addKeyword({ keyword: "_note" });
  ajv.addKeyword({
    keyword: "regex",
    type: "string",
    schemaType: "string",
    validate: (pattern: string, data: string) => new RegExp(pattern).test(data),
  });
  return ajv.compile(readJson(schemaUrl) as object);
}

function tsFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

// The SDK itself says which dotted paths are Web API methods, so `slack.users.info(` counts
// whatever the receiver is called, and a hybrid client's `client.name.trim()` does not.
const sdk = new WebClient(undefined, { logLevel: LogLevel.ERROR });
function isWebApiMethod(path: string[]): boolean {
  let node: unknown = sdk;
  for (const part of path) {
    if (typeof node !== "object" || node === null) return false;
    node = (node as Record<string, unknown>)[part];
  }
  // The SDK binds every Web API method to apiCall; its logger's methods are plain ones.
  return typeof node === "function" && node.name.startsWith("bound ");
}

/**
 * Web API methods named in source: `client.chat.postMessage(`, `this.slack.views.open(`,
 * `.apiCall("users.info"`. For a call chain, the longest tail that is an SDK method counts.
 */
function webApiCalls(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)+(?=\s*\()/g)) {
    const chain = m[0].split(".").map((part) => part.trim());
    for (let start = 0; start < chain.length - 1; start++) {
      const tail = chain.slice(start);
      if (isWebApiMethod(tail)) {
        found.add(tail.join("."));
        break;
      }
    }
  }
  for (const m of source.matchAll(/\.apiCall\(\s*["'`]([a-z]+(?:\.[a-zA-Z]+)+)["'`]/g)) {
    found.add(m[1]!);
  }
  return [...found];
}

describe("Slack app manifest", () => {
  const validate = validator();

  for (const [file, manifest] of Object.entries(manifests)) {
    it(`${file} is valid against Slack's manifest schema`, () => {
      const valid = validate(manifest);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });
  }

  it.skipIf(!existsSync(sharedSchemaUrl))("vendors the same schema as ../shared", () => {
    expect(readFileSync(schemaUrl, "utf8")).toBe(readFileSync(sharedSchemaUrl, "utf8"));
  });

  it("the schema check is not vacuous: it refuses a broken manifest", () => {
    const broken = structuredClone(manifests["manifest.json"]) as unknown as Record<
      string,
      unknown
    >;
    (broken.display_information as Record<string, unknown>).background_color = "blue!!";
    broken.unknown_section = true;
    expect(validate(broken)).toBe(false);
    const keywords = (validate.errors ?? []).map((e) => e.keyword);
    expect(keywords).toEqual(expect.arrayContaining(["regex", "additionalProperties"]));
  });

  it("describes the bot and its slash command", () => {
    const { display_information, features } = manifests["manifest.json"];
    expect(display_information.name).toBe("Hybrid Client Bot");
    expect(features.bot_user).toEqual({ display_name: "hybrid-client-bot", always_online: true });
    expect(features.slash_commands).toEqual([
      expect.objectContaining({
        command: "/hybrid-client",
        usage_hint: "add [name] | secret <client-id> | list | status | help",
        should_escape: false,
      }),
    ]);
    // The bot DMs the requester (the Reveal secret button): the Messages tab shows those DMs,
    // read-only because the bot does not listen to messages.
    expect(features.app_home?.messages_tab_enabled).toBe(true);
  });

  it("uses Socket Mode in manifest.json and HTTP with request URLs in manifest.http.json", () => {
    const socket = manifests["manifest.json"];
    const http = manifests["manifest.http.json"];
    expect(socket.settings).toEqual({
      event_subscriptions: { bot_events: ["app_home_opened"] },
      interactivity: { is_enabled: true },
      org_deploy_enabled: false,
      socket_mode_enabled: true,
      token_rotation_enabled: false,
    });
    expect(socket.features.slash_commands[0]?.url).toBeUndefined();
    const endpoint = "https://bot.example.com/slack/events";
    expect(http.settings).toEqual({
      ...socket.settings,
      event_subscriptions: { request_url: endpoint, bot_events: ["app_home_opened"] },
      interactivity: { is_enabled: true, request_url: endpoint },
      socket_mode_enabled: false,
    });
    expect(http.features.slash_commands[0]?.url).toBe(endpoint);
    // Apart from how Slack reaches the bot, the two are the same app.
    const { settings: _s, features: socketFeatures, ...socketRest } = socket;
    const { settings: _h, features: httpFeatures, ...httpRest } = http;
    expect(httpRest).toEqual(socketRest);
    expect(httpFeatures.slash_commands.map(({ url: _u, ...c }) => c)).toEqual(
      socketFeatures.slash_commands,
    );
  });

  it("turns the Home tab on and offers the global shortcut the bot listens for", () => {
    for (const manifest of Object.values(manifests)) {
      expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
      expect(manifest.features.shortcuts).toEqual([
        expect.objectContaining({ type: "global", callback_id: REQUEST_SHORTCUT }),
      ]);
    }
  });

  it("holds every scope the bot is known to need, and none that nothing justifies", () => {
    const granted = manifests["manifest.json"].oauth_config.scopes.bot;
    expect(granted).toEqual(expect.arrayContaining(REQUIRED_BOT_SCOPES));
    const justified = new Set([...FEATURE_SCOPES, ...Object.values(METHOD_SCOPES).flat()]);
    expect(granted.filter((s) => !justified.has(s))).toEqual([]);
    expect(new Set(granted).size).toBe(granted.length);
  });

  it("holds the scopes of every Web API method src/ calls", () => {
    const src = fileURLToPath(new URL("src/", repo));
    const files = tsFiles(src);
    const calls = new Map<string, string>(); // method → first file calling it
    for (const file of files) {
      for (const method of webApiCalls(readFileSync(file, "utf8"))) {
        if (!calls.has(method)) calls.set(method, file.slice(src.length));
      }
    }
    // Once the Slack layer exists, finding no call means the scan is broken, not that all is well.
    if (tsFiles(join(src, "slack")).length > 0) expect(calls.size).toBeGreaterThan(0);

    const granted = new Set(manifests["manifest.json"].oauth_config.scopes.bot);
    const problems: string[] = [];
    for (const [method, file] of calls) {
      const needed = METHOD_SCOPES[method];
      if (needed === undefined) {
        problems.push(`${file} calls ${method}: add it and its scopes to METHOD_SCOPES`);
        continue;
      }
      for (const scope of needed) {
        if (!granted.has(scope)) problems.push(`${file} calls ${method}, which needs ${scope}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("finds Web API calls in source the way src/ writes them", () => {
    const sample = `
      await client.chat.postMessage({ channel, blocks });
      await this.client.usergroups.users.list({ usergroup });
      await app.client.views.open({ trigger_id, view });
      await client.apiCall("conversations.info", { channel });
      await slack.auth.test();
      const n = users.length; client.on("x", f); this.logger.warn("x");
      const title = client.name.trim() || a.client.name.localeCompare(b);`;
    expect(webApiCalls(sample).sort()).toEqual([
      "auth.test",
      "chat.postMessage",
      "conversations.info",
      "usergroups.users.list",
      "views.open",
    ]);
  });
});
