// Why `list` shows nothing: plain words, no client names or ids.
import type { RequesterRefusal } from "../../requests/outcomes.js";

export function listRefusalText(refusal: RequesterRefusal): string {
  switch (refusal.code) {
    case "no-email":
      return "The tenant's hybrid clients are shown to Tenant Administrators only, and your Slack profile has no email address the bot can match to an AVEVA Data Hub user.";
    case "unknown-user":
      return "The tenant's hybrid clients are shown to Tenant Administrators only, and no AVEVA Data Hub user in this tenant has your email address.";
    case "not-admin":
      return "The tenant's hybrid clients are shown to Tenant Administrators only, and your AVEVA Data Hub user does not hold that role.";
    case "adh-unavailable":
      return "AVEVA Data Hub could not be reached to check your Tenant Administrator role. Nothing is shown; try again in a few minutes.";
  }
}
