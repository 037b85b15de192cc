// What the console says: API errors in plain words, dates and the time left before a purge.

const DAY_MS = 24 * 60 * 60 * 1000;

/** A sentence for an ApiError met while doing something to `what` (e.g. "citizen 5 of import 2"). */
export function explain(error, what = "this record", caller = null) {
  switch (error.status) {
    case 0:
      return "The service could not be reached. Check your connection and try again.";
    case 401:
      return "The service does not know this token (it may have been revoked). Sign in again with a valid token.";
    case 403:
      return caller && caller.role !== "admin"
        ? `Your token “${caller.name}” has the ${caller.role} role: it cannot see the trash, restore or delete anything for good. Sign in with an admin token.`
        : "Your token may not do this: the trash is for admin tokens only.";
    case 404:
      return `${capital(what)} no longer exists: someone may have deleted it for good.`;
    case 409: // e.g. a citizen_id that a trashed citizen still holds
      return `That conflicts with a record the service holds: ${error.message}`;
    case 412:
      return `Someone changed ${what} after you opened it. Reload to see it as it is now, then decide again.`;
    case 429:
      return `Too many requests for now; try again in ${error.retryAfter ?? "a few"} seconds.`;
    default:
      return error.status >= 500
        ? "The service failed to answer. Try again in a moment; if it goes on, tell the operators."
        : `The service refused: ${error.message}`;
  }
}

function capital(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

export function when(timestamp) {
  return dateTime.format(new Date(timestamp));
}

/** When the daily purge will take a record trashed at `deletedAt`, e.g. "in 29 days". */
export function purgeIn(deletedAt, retentionDays, now = Date.now()) {
  const due = new Date(deletedAt).getTime() + retentionDays * DAY_MS;
  const days = Math.ceil((due - now) / DAY_MS);
  return days <= 0 ? "at the next daily purge" : relative.format(days, "day");
}

export function plural(count, one, many = `${one}s`) {
  return `${count} ${count === 1 ? one : many}`;
}
