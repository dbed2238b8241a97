// Every journey's listeners on one Bolt app. Journeys never import each other; the slash
// command is shared, so each claims its words on one router and the rest get the help.
import type { App } from "@slack/bolt";
import * as approval from "./approval/register.js";
import * as audit from "./audit/register.js";
import * as clientList from "./client-list/register.js";
import { buildHelp } from "./help.js";
import * as home from "./home/register.js";
import { Subcommands } from "./kit/command.js";
import type { ListenerContext } from "./kit/context.js";
import * as lifecycle from "./lifecycle/register.js";
import * as request from "./request/register.js";
import * as requester from "./requester/register.js";
import * as reveal from "./reveal/register.js";

export function registerJourneys(app: App, ctx: ListenerContext): void {
  const commands = new Subcommands();
  const deps = { ...ctx, commands };
  for (const journey of [
    request,
    approval,
    requester,
    reveal,
    clientList,
    lifecycle,
    home,
    audit,
  ]) {
    journey.register(app, deps);
  }
  commands.register(app, buildHelp, ctx.cooldown);
}
