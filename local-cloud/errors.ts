// An API error as the real services answer it: HTTP status + code + message
// (+ the extra elements some error documents carry, e.g. OSS `EC`, `StringToSign`).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const missingParameter = (name: string): ApiError =>
  new ApiError(400, "MissingParameter", `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

export const invalidParameter = (name: string, detail = "is not valid"): ApiError =>
  new ApiError(400, "InvalidParameter", `The specified parameter "${name}" ${detail}.`);
