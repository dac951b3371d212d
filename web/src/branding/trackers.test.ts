import { describe, expect, it } from "vitest";
import { parseRegistry, trackersToLoad } from "./trackers";

describe("tracker policy", () => {
  const registry = { plausible: "https://plausible.example/js/script.js", other: "https://other.example/t.js" };

  it("loads nothing when the tenant allows nothing (K-12, or the flag off)", () => {
    expect(trackersToLoad([], registry)).toEqual([]);
  });

  it("loads only trackers the tenant allows and the deployment knows", () => {
    expect(trackersToLoad(["plausible", "unknown"], registry)).toEqual(["https://plausible.example/js/script.js"]);
  });

  it("loads nothing without a deployment registry even if the tenant allows trackers", () => {
    expect(trackersToLoad(["plausible"], parseRegistry(undefined))).toEqual([]);
  });

  it("ignores registry entries that are not https, and malformed settings", () => {
    expect(parseRegistry('{"a":"http://x.example/a.js","b":"https://y.example/b.js"}')).toEqual({ b: "https://y.example/b.js" });
    expect(parseRegistry("not json")).toEqual({});
    expect(parseRegistry('["https://x.example"]')).toEqual({});
  });

  it("does not treat inherited object members as tracker names", () => {
    expect(trackersToLoad(["constructor", "toString"], registry)).toEqual([]);
  });
});
