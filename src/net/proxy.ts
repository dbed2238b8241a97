// Corporate proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either letter case, as curl
// reads them) for every outbound connection — ADH, the Slack Web API, response_url posts
// and Socket Mode's WebSocket. undici's EnvHttpProxyAgent does the reading and the
// NO_PROXY matching; without a proxy setting a plain Agent is used, exactly as before.
import { Agent, type Dispatcher, EnvHttpProxyAgent, setGlobalDispatcher } from "undici";

type Env = Record<string, string | undefined>;

/** The proxy settings found in `env`, or undefined when no proxy is configured. */
export function proxySettings(
  env: Env = process.env,
): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined {
  const pick = (name: string) => env[name.toLowerCase()] || env[name] || undefined;
  const httpProxy = pick("HTTP_PROXY");
  const httpsProxy = pick("HTTPS_PROXY");
  if (!httpProxy && !httpsProxy) return undefined;
  const noProxy = pick("NO_PROXY");
  return {
    ...(httpProxy ? { httpProxy } : {}),
    // As curl does: an https URL with only HTTP_PROXY set goes through that proxy.
    httpsProxy: httpsProxy ?? httpProxy,
    ...(noProxy ? { noProxy } : {}),
  };
}

/**
 * An undici dispatcher with these connection options that goes through the proxy the
 * environment names (CONNECT tunnels, so TLS stays end to end) unless NO_PROXY matches.
 */
export function proxyAwareAgent(options: Agent.Options = {}, env: Env = process.env): Dispatcher {
  const proxy = proxySettings(env);
  return proxy ? new EnvHttpProxyAgent({ ...options, ...proxy }) : new Agent(options);
}

/** Socket Mode's `dispatcher` option: the proxy for its WebSocket, or the SDK's default. */
export function socketModeDispatcher(env: Env = process.env): Dispatcher | undefined {
  return proxySettings(env) ? proxyAwareAgent({}, env) : undefined;
}

/**
 * Makes undici's and Node's global fetch/request (response_url posts, anything without a
 * dispatcher of its own) honour the proxy settings. Returns whether a proxy is in use.
 */
export function installProxyFromEnvironment(env: Env = process.env): boolean {
  if (!proxySettings(env)) return false;
  setGlobalDispatcher(proxyAwareAgent({}, env));
  return true;
}
