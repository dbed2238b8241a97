// What a user is told when something outside their control failed: what happened and
// what to do next, never a stack trace.
import { AdhError } from "../adh/errors.js";
import { isRedisUnavailable } from "../store/redis.js";

export function friendlyFailure(error: unknown): string {
  if (isRedisUnavailable(error)) {
    return "The bot's storage is temporarily unavailable. Nothing was lost; try again in a minute.";
  }
  if (error instanceof AdhError) {
    return `AVEVA Data Hub did not answer as expected: ${error.describe()}. Nothing was lost; try again in a few minutes.`;
  }
  return "Something went wrong on the bot's side. Nothing was lost; try again in a minute, and tell the bot's operator if it keeps happening.";
}
