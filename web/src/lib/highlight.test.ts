import { describe, expect, it } from "vitest";
import { highlightRuns } from "./highlight";

describe("highlightRuns", () => {
  it("splits marked words and decodes the escaped text", () => {
    expect(highlightRuns("Get <em>started</em> &amp; &lt;b&gt;go&lt;/b&gt;")).toEqual([
      { text: "Get ", marked: false },
      { text: "started", marked: true },
      { text: " & <b>go</b>", marked: false },
    ]);
  });
  it("never turns escaped markup into elements", () => {
    const runs = highlightRuns("&lt;em&gt;x&lt;/em&gt;");
    expect(runs).toEqual([{ text: "<em>x</em>", marked: false }]);
  });
});
