// The policy settings' own vocabulary, below both the config (which parses them) and the
// domain's policy rules (which apply them).

export type NeverExpiresRule = "allow" | "deny" | "extra-approval";

/**
 * A configured host suffix in the form hosts are compared in (ASCII/punycode, lower case),
 * or undefined when it is not a host name. Leading dots and `*.` are accepted and dropped.
 */
export function normalizeHostSuffix(raw: string): string | undefined {
  const trimmed = raw
    .trim()
    .replace(/^\*?\.+/, "")
    .replace(/\.$/, "");
  if (trimmed === "" || /[/:@?#\s]/.test(trimmed)) return undefined;
  try {
    const host = new URL(`https://${trimmed}/`).hostname;
    return host === "" ? undefined : host;
  } catch {
    return undefined;
  }
}
