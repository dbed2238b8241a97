import { describe, expect, it } from "vitest";
import {
  defaultExpirationDate,
  MAX_NAME_LENGTH,
  type RawClientForm,
  validateClientForm,
  validateSecretForm,
} from "../../src/requests/validation.js";

const valid: RawClientForm = {
  name: "Plant A gateway",
  allowRefreshToken: false,
  redirectUris: "https://app.example.com/callback",
  logoutRedirectUris: "",
  tokenLifetime: "3600",
  reminderChannel: "C0123ABCD",
  reason: "",
};

const errorsOf = (raw: RawClientForm) => {
  const result = validateClientForm({ ...valid, ...raw });
  return result.ok ? {} : result.errors;
};

const accepted = (raw: RawClientForm) => {
  const result = validateClientForm({ ...valid, ...raw });
  if (!result.ok) throw new Error(`expected valid, got ${JSON.stringify(result.errors)}`);
  return result.value;
};

describe("Add Client pane", () => {
  it("accepts a complete form and maps it to the portal's fields", () => {
    expect(
      accepted({
        name: "  Plant A gateway  ",
        allowRefreshToken: true,
        redirectUris: "https://a.example.com/cb\nmyapp://callback",
        logoutRedirectUris: "https://a.example.com/bye",
        tokenLifetime: 900,
        reason: "  PI to ADH  ",
      }),
    ).toEqual({
      name: "Plant A gateway",
      allowOfflineAccess: true,
      redirectUris: ["https://a.example.com/cb", "myapp://callback"],
      postLogoutRedirectUris: ["https://a.example.com/bye"],
      accessTokenLifetime: 900,
      reminderChannel: "C0123ABCD",
      reason: "PI to ADH",
    });
  });

  describe("Name", () => {
    it.each([[""], ["   "], [null], [undefined]])("is required (%j)", (name) => {
      expect(errorsOf({ name }).name).toBe("Enter a name for the client");
    });
    it(`allows ${MAX_NAME_LENGTH} characters and not one more`, () => {
      expect(accepted({ name: "n".repeat(MAX_NAME_LENGTH) }).name).toHaveLength(MAX_NAME_LENGTH);
      expect(errorsOf({ name: "n".repeat(MAX_NAME_LENGTH + 1) }).name).toMatch(
        /201 characters; shorten it to 200/,
      );
    });
    it("rejects control characters", () => {
      expect(errorsOf({ name: "a\nb" }).name).toMatch(/control characters/);
    });
  });

  describe("Token Lifetime", () => {
    it.each([
      ["59", /you entered 59/],
      ["3601", /you entered 3601/],
      [59, /you entered 59/],
      ["100.5", /whole number of seconds, 60 to 3600/],
      [100.5, /whole number/],
      ["abc", /whole number/],
      ["1e3", /whole number/],
      [Number.NaN, /whole number/],
    ])("rejects %j", (tokenLifetime, message) => {
      expect(errorsOf({ tokenLifetime }).tokenLifetime).toMatch(message);
    });
    it.each([
      ["60", 60],
      [" 3600 ", 3600],
      [120, 120],
      ["", 3600],
      [null, 3600],
      [undefined, 3600],
    ])("accepts %j as %d", (tokenLifetime, seconds) => {
      expect(accepted({ tokenLifetime }).accessTokenLifetime).toBe(seconds);
    });
  });

  describe("Allowed Redirect URL(s)", () => {
    it("needs at least one", () => {
      expect(errorsOf({ redirectUris: "" }).redirectUris).toMatch(/at least one URL/);
      expect(errorsOf({ redirectUris: " \n\n  " }).redirectUris).toMatch(/at least one URL/);
    });
    it("ignores blank lines and surrounding spaces, CRLF included", () => {
      expect(
        accepted({ redirectUris: "\r\n https://a.example/cb \r\n\r\nhttps://b.example/cb\n" })
          .redirectUris,
      ).toEqual(["https://a.example/cb", "https://b.example/cb"]);
    });
    it("allows 10 and refuses 11", () => {
      const urls = (n: number) =>
        Array.from({ length: n }, (_, i) => `https://app.example.com/cb${i}`);
      expect(accepted({ redirectUris: urls(10).join("\n") }).redirectUris).toHaveLength(10);
      expect(errorsOf({ redirectUris: urls(11).join("\n") }).redirectUris).toBe(
        "At most 10 URLs; you entered 11. Remove 1",
      );
    });
    it("removes exact duplicates silently, keeping the first position", () => {
      const twelve = [
        ...Array.from({ length: 10 }, (_, i) => `https://x.example/${i}`),
        "https://x.example/0",
        "https://x.example/1",
      ];
      expect(accepted({ redirectUris: twelve.join("\n") }).redirectUris).toHaveLength(10);
      expect(
        accepted({ redirectUris: "https://b.example\nhttps://a.example\nhttps://b.example" })
          .redirectUris,
      ).toEqual(["https://b.example", "https://a.example"]);
    });
    it("keeps URLs exactly as typed (ADH matches exactly)", () => {
      expect(accepted({ redirectUris: "https://App.Example.com" }).redirectUris).toEqual([
        "https://App.Example.com",
      ]);
    });
    it("rejects text that is not an absolute URL", () => {
      expect(errorsOf({ redirectUris: "not a url" }).redirectUris).toMatch(/contains a space/);
      expect(errorsOf({ redirectUris: "notaurl" }).redirectUris).toBe(
        "notaurl is not an absolute URL; write it in full, e.g. https://app.example.com/callback",
      );
      expect(errorsOf({ redirectUris: "/callback" }).redirectUris).toMatch(/not an absolute URL/);
      expect(errorsOf({ redirectUris: "https://" }).redirectUris).toMatch(/not an absolute URL/);
    });
    it("explains a missing scheme on host:port", () => {
      expect(errorsOf({ redirectUris: "localhost:3000/cb" }).redirectUris).toMatch(
        /has no scheme; write it in full, e.g. http:\/\/localhost:3000\/cb/,
      );
    });
    it("rejects a fragment, quoting it", () => {
      expect(errorsOf({ redirectUris: "https://app.example.com/cb#frag" }).redirectUris).toBe(
        "URL https://app.example.com/cb#frag has a fragment (#frag); OAuth redirect URLs cannot have one",
      );
      expect(errorsOf({ redirectUris: "https://app.example.com/cb#" }).redirectUris).toMatch(
        /fragment \(#\)/,
      );
    });
    it("allows native-app schemes and refuses ones that run code", () => {
      expect(
        accepted({ redirectUris: "myapp://callback\ncom.example.app:/oauth2redirect" })
          .redirectUris,
      ).toHaveLength(2);
      expect(errorsOf({ redirectUris: "javascript:alert(1)" }).redirectUris).toMatch(
        /cannot be a redirect target/,
      );
      expect(errorsOf({ redirectUris: "data:text/html,hi" }).redirectUris).toMatch(
        /cannot be a redirect target/,
      );
    });
    it("allows http for local development", () => {
      expect(accepted({ redirectUris: "http://localhost:5000/signin-oidc" }).redirectUris).toEqual([
        "http://localhost:5000/signin-oidc",
      ]);
    });
  });

  describe("Allowed Logout Redirect URL(s)", () => {
    it("is optional", () => {
      expect(accepted({ logoutRedirectUris: "" }).postLogoutRedirectUris).toEqual([]);
      expect(accepted({ logoutRedirectUris: null }).postLogoutRedirectUris).toEqual([]);
    });
    it("follows the same rules when given", () => {
      expect(errorsOf({ logoutRedirectUris: "https://a.example/#x" }).logoutRedirectUris).toMatch(
        /fragment/,
      );
      expect(
        errorsOf({
          logoutRedirectUris: Array.from({ length: 11 }, (_, i) => `https://a.example/${i}`).join(
            "\n",
          ),
        }).logoutRedirectUris,
      ).toMatch(/At most 10/);
    });
  });

  it("needs a reminder channel", () => {
    expect(errorsOf({ reminderChannel: "" }).reminderChannel).toBe(
      "Pick a channel for expiry reminders",
    );
    expect(errorsOf({ reminderChannel: null }).reminderChannel).toBe(
      "Pick a channel for expiry reminders",
    );
  });

  it("takes an optional reason of up to 2000 characters", () => {
    expect(accepted({ reason: null }).reason).toBe("");
    expect(accepted({ reason: "r".repeat(2000) }).reason).toHaveLength(2000);
    expect(errorsOf({ reason: "r".repeat(2001) }).reason).toMatch(
      /2001 characters; shorten it to 2000/,
    );
  });

  it("reports every broken field at once", () => {
    expect(
      Object.keys(
        errorsOf({ name: "", redirectUris: "", tokenLifetime: "1", reminderChannel: "" }),
      ).sort(),
    ).toEqual(["name", "redirectUris", "reminderChannel", "tokenLifetime"]);
  });
});

describe("Create Secret pane", () => {
  const now = new Date("2026-03-10T15:00:00Z");

  it("ends the chosen day in UTC", () => {
    expect(
      validateSecretForm({ description: " rotation ", expirationDate: "2027-03-10" }, now),
    ).toEqual({
      ok: true,
      value: { description: "rotation", expiration: "2027-03-10T23:59:59.000Z" },
    });
  });
  it("accepts tomorrow and refuses today and the past", () => {
    expect(validateSecretForm({ expirationDate: "2026-03-11" }, now).ok).toBe(true);
    for (const expirationDate of ["2026-03-10", "2026-03-09", "1999-01-01"]) {
      const result = validateSecretForm({ expirationDate }, now);
      expect(result.ok ? undefined : result.errors.expirationDate).toBe(
        "Expiration Date must be after today (2026-03-10, UTC); pick a later date or tick Never Expires",
      );
    }
  });
  it("uses the UTC date of now, not the local one", () => {
    const lateUtc = new Date("2026-03-10T23:30:00Z");
    expect(validateSecretForm({ expirationDate: "2026-03-11" }, lateUtc).ok).toBe(true);
  });
  it("refuses dates that do not exist or are not YYYY-MM-DD", () => {
    for (const expirationDate of ["2027-02-30", "2027-13-01", "27-01-01", "2027/01/01", "soon"]) {
      const result = validateSecretForm({ expirationDate }, now);
      expect(result.ok ? undefined : result.errors.expirationDate).toMatch(/must be a date like/);
    }
  });
  it("needs a date unless Never Expires is ticked", () => {
    const result = validateSecretForm({ expirationDate: null }, now);
    expect(result.ok ? undefined : result.errors.expirationDate).toBe(
      "Pick an expiration date, or tick Never Expires",
    );
  });
  it("Never Expires ignores the date, even a past or broken one", () => {
    for (const expirationDate of ["2020-01-01", "garbage", null]) {
      expect(validateSecretForm({ expirationDate, neverExpires: true }, now)).toEqual({
        ok: true,
        value: { description: "", expiration: null },
      });
    }
  });
  it("limits the description to 200 characters", () => {
    expect(validateSecretForm({ description: "d".repeat(200), neverExpires: true }, now).ok).toBe(
      true,
    );
    const result = validateSecretForm({ description: "d".repeat(201), neverExpires: true }, now);
    expect(result.ok ? undefined : result.errors.description).toMatch(/shorten it to 200/);
  });
  it("suggests one year from now as the default", () => {
    expect(defaultExpirationDate(now)).toBe("2027-03-10");
    expect(validateSecretForm({ expirationDate: defaultExpirationDate(now) }, now).ok).toBe(true);
  });
});
