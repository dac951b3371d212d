import { describe, expect, it } from "vitest";
import {
  addLesson,
  addModule,
  earlierLessons,
  moveLesson,
  moveModule,
  outlineProblems,
  parseOutline,
  removeLesson,
  removeModule,
  slugId,
  toOutlineBody,
  updateLesson,
  type EditOutline,
} from "./outline";

function ids(outline: EditOutline): string[][] {
  return outline.modules.map((m) => [m.id, ...m.lessons.map((l) => l.id)]);
}

function sample(): EditOutline {
  let o: EditOutline = { modules: [] };
  o = addModule(o, "Start here");
  o = addLesson(o, 0, "Welcome", "video");
  o = addLesson(o, 0, "Handbook", "text");
  o = addModule(o, "Check");
  o = addLesson(o, 1, "Quiz", "quiz");
  return updateLesson(o, { module: 1, lesson: 0 }, { prerequisites: ["welcome", "handbook"] });
}

describe("slugId", () => {
  it("makes an id of the title's letters and digits", () => {
    expect(slugId("Intro to SQL: Joins!", [])).toBe("intro-to-sql-joins");
    expect(slugId("Café über", [])).toBe("cafe-uber");
  });
  it("numbers an id that is taken, and falls back for a title without letters", () => {
    expect(slugId("Intro", ["intro", "intro-2"])).toBe("intro-3");
    expect(slugId("!!!", [], "lesson")).toBe("lesson");
  });
});

describe("outline editing", () => {
  it("adds modules and lessons with unique ids across the outline", () => {
    let o = sample();
    o = addLesson(o, 1, "Welcome", "text");
    expect(ids(o)).toEqual([
      ["start-here", "welcome", "handbook"],
      ["check", "quiz", "welcome-2"],
    ]);
    expect(o.modules[1]?.lessons[1]?.text).toBe("");
  });

  it("never changes the outline it was given", () => {
    const o = sample();
    const copy = structuredClone(o);
    moveLesson(o, { module: 0, lesson: 0 }, 1);
    removeModule(o, 0);
    updateLesson(o, { module: 0, lesson: 0 }, { title: "x" });
    expect(o).toEqual(copy);
  });

  it("moves a lesson within its module and across the module boundary", () => {
    const o = sample();
    expect(ids(moveLesson(o, { module: 0, lesson: 0 }, 1))[0]).toEqual(["start-here", "handbook", "welcome"]);
    const across = moveLesson(o, { module: 0, lesson: 1 }, 1);
    expect(ids(across)).toEqual([
      ["start-here", "welcome"],
      ["check", "handbook", "quiz"],
    ]);
    const back = moveLesson(across, { module: 1, lesson: 0 }, -1);
    expect(ids(back)).toEqual(ids(o));
  });

  it("does nothing past the ends", () => {
    const o = sample();
    expect(moveLesson(o, { module: 0, lesson: 0 }, -1)).toBe(o);
    expect(moveLesson(o, { module: 1, lesson: 0 }, 1)).toBe(o);
    expect(moveModule(o, 0, -1)).toBe(o);
  });

  it("drops prerequisites that a move puts later than the lesson", () => {
    const o = moveModule(sample(), 1, -1);
    expect(ids(o)[0]).toEqual(["check", "quiz"]);
    expect(o.modules[0]?.lessons[0]?.prerequisites).toEqual([]);
    const up = moveLesson(sample(), { module: 1, lesson: 0 }, -1);
    expect(up.modules[0]?.lessons.map((l) => [l.id, l.prerequisites])).toEqual([
      ["welcome", []],
      ["handbook", []],
      ["quiz", ["welcome", "handbook"]],
    ]);
    const above = moveLesson(up, { module: 0, lesson: 2 }, -1);
    expect(above.modules[0]?.lessons[1]).toMatchObject({ id: "quiz", prerequisites: ["welcome"] });
  });

  it("removes lessons and modules with the prerequisites that named them", () => {
    const o = removeLesson(sample(), { module: 0, lesson: 1 });
    expect(o.modules[1]?.lessons[0]?.prerequisites).toEqual(["welcome"]);
    const m = removeModule(sample(), 0);
    expect(ids(m)).toEqual([["check", "quiz"]]);
    expect(m.modules[0]?.lessons[0]?.prerequisites).toEqual([]);
  });

  it("clears what only the old kind had when the kind changes", () => {
    let o = sample();
    o = updateLesson(o, { module: 0, lesson: 1 }, { text: "Read me" });
    o = updateLesson(o, { module: 0, lesson: 1 }, { kind: "scorm" });
    expect(o.modules[0]?.lessons[1]).toMatchObject({ kind: "scorm", text: null, package: { container: "", name: "" } });
    expect(outlineProblems(o)).toEqual([{ kind: "missingPackage", id: "handbook" }]);
  });

  it("lists the earlier lessons a lesson may require", () => {
    expect(earlierLessons(sample(), { module: 1, lesson: 0 }).map((l) => l.id)).toEqual(["welcome", "handbook"]);
    expect(earlierLessons(sample(), { module: 0, lesson: 0 })).toEqual([]);
  });

  it("reports duplicate and malformed ids and empty titles", () => {
    const o = parseOutline({
      modules: [
        { id: "m", title: "", lessons: [{ id: "a", title: "A", kind: "text" }] },
        { id: "m", title: "M", lessons: [{ id: "a", title: " ", kind: "video" }, { id: "-bad", title: "B", kind: "quiz" }] },
      ],
    });
    expect(outlineProblems(o)).toEqual([
      { kind: "emptyTitle", id: "m" },
      { kind: "duplicateId", id: "m" },
      { kind: "duplicateId", id: "a" },
      { kind: "emptyTitle", id: "a" },
      { kind: "badId", id: "-bad" },
    ]);
  });
});

describe("parseOutline and toOutlineBody", () => {
  it("reads the API's outline and writes only each kind's fields", () => {
    const o = parseOutline({
      modules: [
        {
          id: "start",
          title: "Start",
          lessons: [
            { id: "welcome", title: "W", kind: "video", required: true, durationSeconds: 8, prerequisites: [], text: "stray" },
            { id: "read", title: "R", kind: "text", required: false, prerequisites: ["welcome"], text: "Hello" },
          ],
        },
      ],
    });
    expect(toOutlineBody(o)).toEqual({
      modules: [
        {
          id: "start",
          title: "Start",
          lessons: [
            { id: "welcome", title: "W", kind: "video", required: true, durationSeconds: 8, prerequisites: [], text: null, package: null },
            { id: "read", title: "R", kind: "text", required: false, durationSeconds: null, prerequisites: ["welcome"], text: "Hello", package: null },
          ],
        },
      ],
    });
  });
  it("reads a missing or malformed outline as empty", () => {
    expect(parseOutline(null)).toEqual({ modules: [] });
    expect(parseOutline({ modules: "x" })).toEqual({ modules: [] });
  });
});
