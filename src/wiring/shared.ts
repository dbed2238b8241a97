// What every part of the wiring is built from: the settings and the connections that
// startBot opens once and closes in stop().
import type { WebClient } from "@slack/web-api";
import type { AdhClient } from "../adh/client.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../ops/metrics.js";
import type { RedisClient } from "../store/redis.js";

export interface Wiring {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: RedisClient;
  adh: AdhClient;
  /** The bot's Web API client (retries on). */
  slack: WebClient;
  now: () => number;
}
