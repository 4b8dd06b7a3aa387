import { strict as assert } from "node:assert";
import { isRetryable, retryAfterFromHeaders, withRetry } from "../../handlers/cloud/retry";
import { deadlineAt } from "../../handlers/core/ports";

const policy = { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5 };
const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.code ?? fields.name ?? "e")), fields);

describe("retry", () => {
  const table: [string, Record<string, unknown>, boolean][] = [
    ["Throttling", { code: "Throttling" }, true],
    ["Throttling.User", { code: "Throttling.User" }, true],
    ["Throttling.Api", { code: "Throttling.Api" }, true],
    ["Rejected.Throttling", { code: "Rejected.Throttling" }, true],
    ["ServiceUnavailable", { code: "ServiceUnavailable" }, true],
    ["HTTP 500", { code: "InternalError", statusCode: 500 }, true],
    ["HTTP 503", { code: "Whatever", statusCode: 503 }, true],
    ["connection reset", { code: "ECONNRESET" }, true],
    ["connection refused", { code: "ECONNREFUSED" }, true],
    ["read timeout (Tea)", { name: "RequestTimeoutError" }, true],
    ["socket hang up", { message: "socket hang up" }, true],
    ["HTTP 400", { code: "InvalidParameter", statusCode: 400 }, false],
    ["HTTP 403", { code: "Forbidden.RAM", statusCode: 403 }, false],
    ["IdempotentParameterMismatch", { code: "IdempotentParameterMismatch", statusCode: 400 }, false],
    ["deadline", { name: "DeadlineExceeded" }, false],
  ];
  for (const [what, fields, expected] of table) {
    it(`${what} is ${expected ? "" : "not "}retryable`, () => assert.equal(isRetryable(err(fields)), expected));
  }

  it("retries transient failures to success", async () => {
    let calls = 0;
    const result = await withRetry("t", async () => {
      calls++;
      if (calls === 1) throw err({ code: "Throttling.User" });
      if (calls === 2) throw err({ code: "InternalError", statusCode: 503 });
      return "ok";
    }, policy, deadlineAt(Date.now() + 10_000), 1000);
    assert.equal(result, "ok");
    assert.equal(calls, 3);
  });

  it("gives up at once on a permanent error", async () => {
    let calls = 0;
    await assert.rejects(withRetry("t", async () => { calls++; throw err({ code: "Forbidden", statusCode: 403 }); }, policy, deadlineAt(Date.now() + 10_000), 1000), /Forbidden/);
    assert.equal(calls, 1);
  });

  it("stops after maxAttempts", async () => {
    let calls = 0;
    await assert.rejects(withRetry("t", async () => { calls++; throw err({ code: "Throttling" }); }, policy, deadlineAt(Date.now() + 10_000), 1000), /Throttling/);
    assert.equal(calls, 5);
  });

  it("starts no attempt past the deadline, and caps each attempt's timeout by what is left", async () => {
    const timeouts: number[] = [];
    let now = 0;
    const deadline = deadlineAt(1_000, () => now);
    await assert.rejects(
      withRetry("t", async (timeoutMs) => {
        timeouts.push(timeoutMs);
        now += 700;
        throw err({ code: "ServiceUnavailable" });
      }, policy, deadline, 5_000),
      /ServiceUnavailable/, // the last real error, not a synthetic one
    );
    assert.deepEqual(timeouts, [1_000, 300]);
  });

  it("reads retry-after hints", () => {
    assert.equal(retryAfterFromHeaders({ "x-acs-retry-after": "250" }), 250);
    assert.equal(retryAfterFromHeaders({ "retry-after": "2" }), 2000);
    assert.equal(retryAfterFromHeaders({}), undefined);
  });
});
