import { describe, expect, it } from "vitest";
import { textOn } from "./branding";

describe("textOn", () => {
  it("picks white on dark brand colours and black on light ones", () => {
    expect(textOn("#0b5394")).toBe("#ffffff");
    expect(textOn("#1f4e79")).toBe("#ffffff");
    expect(textOn("#f2a900")).toBe("#111111");
    expect(textOn("#ffffff")).toBe("#111111");
  });
});
