import { describe, expect, it } from "vitest";
import { ApiProblem } from "./problem";

describe("ApiProblem.fromResult", () => {
  const body = {
    type: "/problems/invalid-input",
    title: "The request is not valid",
    status: 422,
    detail: "see errors for each field",
    errors: [{ location: "body.true_false.prompt", message: "String should have at least 1 character" }],
  };

  it("reads the problem openapi-fetch parsed (the response body is consumed by then)", async () => {
    const response = new Response(JSON.stringify(body), { status: 422, headers: { "Content-Type": "application/problem+json" } });
    await response.text(); // as openapi-fetch does for every error response
    const problem = ApiProblem.fromResult(response, body);
    expect(problem.status).toBe(422);
    expect(problem.detail).toBe("see errors for each field");
    expect(problem.fieldErrors).toEqual({ "true_false.prompt": "String should have at least 1 character" });
  });

  it("parses an error left as text, and falls back to the status for one that is not JSON", () => {
    const response = new Response(null, { status: 409 });
    expect(ApiProblem.fromResult(response, JSON.stringify({ detail: "already decided" })).detail).toBe("already decided");
    expect(ApiProblem.fromResult(response, "<html>").detail).toBe("The server answered with status 409.");
  });
});
