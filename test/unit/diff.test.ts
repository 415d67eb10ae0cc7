import { changedLinesFromPatch } from "../../src/diff/changed-lines.js";

describe("changedLinesFromPatch", () => {
  it("numbers added lines in the new file and marks context lines commentable", () => {
    const patch = "@@ -1,4 +1,5 @@\n import a from 'a';\n-const x = 1;\n+const x = 2;\n+const y = 3;\n \n export {};\n@@ -20,2 +21,3 @@\n foo();\n+bar();\n baz();";
    const { added, commentable } = changedLinesFromPatch(patch);
    expect([...added]).toEqual([2, 3, 22]);
    expect([...commentable].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 21, 22, 23]);
  });

  it("gives empty sets for a missing patch (binary or too large)", () => {
    expect(changedLinesFromPatch(undefined).added.size).toBe(0);
  });

  it("ignores deletion-only hunks", () => {
    const { added, commentable } = changedLinesFromPatch("@@ -3,3 +3,2 @@\n a\n-b\n c");
    expect(added.size).toBe(0);
    expect([...commentable]).toEqual([3, 4]);
  });
});
