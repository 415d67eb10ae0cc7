/** Response plumbing shared by the fake's handlers. */

export interface FakeResponse {
  status: number;
  /** JSON-serialised unless `raw` is set. */
  body?: unknown;
  /** Sent as-is (text media types such as `application/vnd.github.diff`). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

/** Thrown by handlers to answer with a GitHub-style error. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${String(body.message ?? "")}`);
  }
}

const DOCS = "https://docs.github.com/rest";

export function notFound(): HttpError {
  return new HttpError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
}

export function unprocessable(errors: unknown[], message = "Unprocessable Entity"): HttpError {
  return new HttpError(422, { message, errors, documentation_url: DOCS, status: "422" });
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Requires authentication",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export function errorBody(status: number, message = REASONS[status] ?? "Error"): Record<string, unknown> {
  return { message, documentation_url: DOCS, status: String(status) };
}
