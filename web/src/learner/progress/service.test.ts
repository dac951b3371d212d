import { describe, expect, it } from "vitest";
import { resumeAt } from "./service";

describe("resumeAt", () => {
  it("resumes at the saved position", () => {
    expect(resumeAt(42.5, 120)).toBe(42.5);
  });
  it("starts over when nothing was saved, or at the very end", () => {
    expect(resumeAt(null, 120)).toBe(0);
    expect(resumeAt(0.4, 120)).toBe(0);
    expect(resumeAt(118, 120)).toBe(0);
  });
  it("resumes when the duration is not known yet", () => {
    expect(resumeAt(30, null)).toBe(30);
  });
});
