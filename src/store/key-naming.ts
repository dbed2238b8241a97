// Key names in Redis Cluster. Every key the bot builds goes through ioredis' keyPrefix
// (KEYS of every Lua script included; no script builds a key itself), so putting one hash
// tag in the prefix puts every key in one slot: each script and MULTI then never spans
// slots (no CROSSSLOT). Single Redis and Sentinel keep the prefix as configured, so an
// upgrade keeps every in-flight request's keys; a Cluster is a new data set anyway.

/**
 * The prefix used in Cluster mode: kept as is when it already holds a hash tag (`{…}` with
 * something inside), else its name is wrapped: `hcb:` → `{hcb}:`, `bot` → `{bot}`.
 */
export function clusterKeyPrefix(prefix: string): string {
  if (/\{[^}]+\}/.test(prefix)) return prefix;
  const name = prefix.replace(/:+$/, "");
  if (name === "") return "{hcb}:";
  return `{${name}}${prefix.slice(name.length)}`;
}

/** The hash tag Redis hashes for a key with this prefix (the first `{…}` with content). */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf("{");
  if (open < 0) return undefined;
  const close = key.indexOf("}", open + 1);
  if (close <= open + 1) return undefined;
  return key.slice(open + 1, close);
}
