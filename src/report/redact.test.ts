import { describe, expect, it } from "vitest";
import { redact, redactDeep } from "./redact.js";

describe("redact", () => {
  it("replaces every secret, raw and escaped, longest first", () => {
    const s = 'pa"ss<&>';
    const text = `raw ${s}; json ${JSON.stringify(s)}; xml pa&quot;ss&lt;&amp;&gt;; url ${encodeURIComponent(s)}`;
    expect(redact(text, [s])).toBe('raw [REDACTED]; json "[REDACTED]"; xml [REDACTED]; url [REDACTED]');
    expect(redact("abcdef abc", ["abc", "abcdef"])).toBe("[REDACTED] [REDACTED]");
    expect(redact("x.y x-y", ["x.y"])).toBe("[REDACTED] x-y"); // regex characters are literal
  });

  it("ignores empty and missing secrets", () => {
    expect(redact("nothing to hide", [])).toBe("nothing to hide");
    expect(redact("nothing to hide", ["", undefined as unknown as string])).toBe("nothing to hide");
  });

  it("redacts every string of a structure, keys included, without touching the input", () => {
    const input = { a: ["hunter2", 3, null, { "hunter2-key": "x hunter2 y" }], b: true };
    const out = redactDeep(input, ["hunter2"]);
    expect(out).toEqual({ a: ["[REDACTED]", 3, null, { "[REDACTED]-key": "x [REDACTED] y" }], b: true });
    expect(input.a[0]).toBe("hunter2");
    expect(redactDeep(input, [])).toBe(input);
  });
});
