import { describe, expect, it } from "vitest";
import { ApiProblem, fieldOf } from "./problem";
import { unwrap } from "./client";

describe("ApiProblem", () => {
  it("keeps the detail, field errors keyed by field, and extra members", () => {
    const problem = new ApiProblem(422, {
      type: "/problems/invalid-input",
      title: "Invalid input",
      status: 422,
      detail: "see errors for each field",
      errors: [
        { location: "body.branding.primaryColor", message: "not a colour" },
        { location: "query.limit", message: "too large" },
        { nonsense: true },
      ],
      correlationId: "c1",
    });
    expect(problem.detail).toBe("see errors for each field");
    expect(problem.fieldErrors).toEqual({ "branding.primaryColor": "not a colour", limit: "too large" });
    expect(problem.extra).toEqual({ correlationId: "c1" });
  });

  it("says the status in words when the body is not a problem", () => {
    const problem = new ApiProblem(502, null);
    expect(problem.detail).toBe("The server answered with status 502.");
  });

  it("maps locations to fields", () => {
    expect(fieldOf("body.tenantId")).toBe("tenantId");
    expect(fieldOf("path.courseId")).toBe("courseId");
    expect(fieldOf("answers.q1")).toBe("answers.q1");
  });
});

describe("unwrap", () => {
  it("turns a failed call's parsed body into an ApiProblem with its extra members", async () => {
    const response = new Response(null, { status: 409 });
    const failure = unwrap(
      Promise.resolve({
        error: { title: "Conflict", status: 409, detail: "prerequisites not completed: a", missing: ["a"] },
        response,
      }),
    );
    await expect(failure).rejects.toMatchObject({ status: 409, detail: "prerequisites not completed: a", extra: { missing: ["a"] } });
  });

  it("turns a network failure into a status-0 problem", async () => {
    await expect(unwrap(Promise.reject(new TypeError("Failed to fetch")))).rejects.toMatchObject({ status: 0 });
  });
});
