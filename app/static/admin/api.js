// The console's only way to the service: the public JSON:API, with the token an admin pasted.

const MEDIA_TYPE = "application/vnd.api+json";

/** The API's root: the console lives at <API root>/admin/, so the API is one level up. This
 * holds behind a proxy that serves the service under a prefix, too. */
function apiRoot() {
  return new URL("../", document.baseURI);
}

export class ApiError extends Error {
  constructor(status, errors = [], retryAfter = null) {
    super(errors[0]?.detail ?? `HTTP ${status}`);
    this.status = status; // 0: the service could not be reached
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

/** Send one request; resolve to {document, etag}, or reject with an ApiError. */
export async function call(token, method, target, { params = {}, body, ifMatch } = {}) {
  const url = new URL(target, apiRoot());
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const headers = { Accept: MEDIA_TYPE };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = MEDIA_TYPE;
  if (ifMatch) headers["If-Match"] = ifMatch;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store", // what an admin acts on must be what the service holds now
    });
  } catch {
    throw new ApiError(0);
  }
  const document = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    throw new ApiError(response.status, document?.errors ?? [], response.headers.get("Retry-After"));
  }
  return { document, etag: response.headers.get("ETag") };
}

/** The restore document of JSON:API: the record with `deleted_at: null`. */
export function restoreDocument(resource) {
  return { data: { type: resource.type, id: resource.id, attributes: { deleted_at: null } } };
}
