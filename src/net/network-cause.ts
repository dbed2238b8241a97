// "fetch failed" says nothing; the cause an operator can act on (a name that does not
// resolve, a port nobody listens on, a timeout) is a code somewhere down the error's
// cause chain. This finds it and says it in words, code first.
const CAUSES: Record<string, string> = {
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name lookup failed (DNS unreachable?)",
  ECONNREFUSED: "nothing accepts connections at that address and port",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ETIMEDOUT: "timeout: no answer in time",
  UND_ERR_CONNECT_TIMEOUT: "timeout: could not connect in time",
  UND_ERR_HEADERS_TIMEOUT: "timeout: connected, but no response in time",
  UND_ERR_BODY_TIMEOUT: "timeout: the response stopped arriving",
  UND_ERR_SOCKET: "the server closed the connection",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN:
    "a self-signed certificate is in the chain (a TLS-inspecting proxy? set NODE_EXTRA_CA_CERTS)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "the TLS certificate's issuer is unknown here (set NODE_EXTRA_CA_CERTS)",
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
};

/** The first error code found on the error, its `cause` chain or Slack's `original`. */
export function networkCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 6 && e && typeof e === "object"; depth++) {
    const { code, cause, original } = e as { code?: unknown; cause?: unknown; original?: unknown };
    if (typeof code === "string" && (code in CAUSES || /^E[A-Z]+$/.test(code))) return code;
    e = cause ?? original;
  }
  if (error instanceof Error && /timed? ?out|timeout/i.test(error.message)) return "ETIMEDOUT";
  return undefined;
}

/** e.g. "ECONNREFUSED: nothing accepts connections at that address and port", or undefined. */
export function describeNetworkCause(error: unknown): string | undefined {
  const code = networkCode(error);
  if (code === undefined) return undefined;
  return `${code}: ${CAUSES[code] ?? "network error"}`;
}
