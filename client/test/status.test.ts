import assert from "node:assert/strict";
import { test } from "node:test";
import { modelAt, Summary } from "../src/status";

// examples/seed.py as the server sums it up: two builders (alternatives) and the script's models
const seed: Summary = {
  text: "model: 280 parameters",
  models: ["Sequential: 280 parameters if defaults hold", "Sequential: 270 parameters if defaults hold",
    "model: 280 parameters", "model_without_bias: 270 parameters"],
  extents: [
    { title: "Sequential: 280 parameters if defaults hold", start: 3, end: 4, size: 280 },
    { title: "Sequential: 270 parameters if defaults hold", start: 8, end: 9, size: 270 },
    { title: "model: 280 parameters", start: 14, end: 14, size: 280 },
    { title: "model_without_bias: 270 parameters", start: 15, end: 15, size: 270 },
  ],
};

test("the model at the cursor, else the file's largest: never a sum", () => {
  assert.equal(modelAt(seed, 9), "Sequential: 270 parameters if defaults hold");
  assert.equal(modelAt(seed, 15), "model_without_bias: 270 parameters");
  assert.equal(modelAt(seed, 0), "model: 280 parameters");
  assert.equal(modelAt(seed, undefined), "model: 280 parameters");
  for (let line = 0; line < 20; line++) {
    assert.doesNotMatch(modelAt(seed, line) ?? "", /550/);
  }
});

test("the innermost model holds the cursor", () => {
  const nested: Summary = {
    text: "Net: 100 parameters", models: ["Net: 100 parameters", "Sequential: 40 parameters"],
    extents: [{ title: "Net: 100 parameters", start: 0, end: 20, size: 100 },
      { title: "Sequential: 40 parameters", start: 5, end: 8, size: 40 }],
  };
  assert.equal(modelAt(nested, 6), "Sequential: 40 parameters");
  assert.equal(modelAt(nested, 12), "Net: 100 parameters");
});

test("no model: nothing (the server's sum of the file's layers is not shown)", () => {
  assert.equal(modelAt({ text: "≈550 params", models: [], extents: [] }, 3), undefined);
  // a server without extents still gives its largest model
  assert.equal(modelAt({ text: "Net: 10 parameters", models: ["Net: 10 parameters"] }, 3),
    "Net: 10 parameters");
});
