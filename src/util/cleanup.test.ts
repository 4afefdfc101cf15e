import { describe, expect, test } from "vitest";
import { onCleanup, runCleanup } from "./cleanup.js";

describe("the cleanup registry", () => {
  test("handlers run newest first, and one registered as last runs after all, whenever registered", async () => {
    const order: string[] = [];
    const add = (name: string, last = false) => onCleanup(name, async () => void order.push(name), { last });
    add("lab 1");
    add("session reaper", true);
    add("lab 2");
    const unregister = add("gone");
    unregister();
    await runCleanup(() => {});
    expect(order).toEqual(["lab 2", "lab 1", "session reaper"]);
    // Each at most once.
    await runCleanup(() => {});
    expect(order).toHaveLength(3);
  });
});
