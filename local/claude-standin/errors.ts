/** The `error.type` values the stand-in sends, with the HTTP status the real API pairs them with. */
export const ERROR_STATUS = {
  invalid_request_error: 400,
  authentication_error: 401,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529
} as const;

export type ApiErrorType = keyof typeof ERROR_STATUS;

/** An error answered as the API's JSON error body; thrown by validation, caught once in the request handler. */
export class ApiResponseError extends Error {
  readonly type: ApiErrorType;
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(type: ApiErrorType, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiResponseError';
    this.type = type;
    this.status = ERROR_STATUS[type];
    this.headers = headers;
  }
}

/** The exact error body of the API: `{"type":"error","error":{"type","message"},"request_id"}`. */
export function errorBody(type: ApiErrorType, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId });
}
