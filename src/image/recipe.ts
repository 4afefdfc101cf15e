import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";

/** Files of the image recipe, relative to compose/: the Dockerfile and everything it copies. */
export async function recipeFiles(composeDir: string): Promise<string[]> {
  const files = ["Dockerfile"];
  for (const dir of ["helpers", "scripts"]) {
    const entries = await readdir(path.join(composeDir, dir), { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isFile()) files.push(`${dir}/${e.name}`);
  }
  return files.sort();
}

/** A short hash of the recipe's bytes: the image tag, so an image is rebuilt only when the recipe changes. */
export async function recipeHash(composeDir: string): Promise<string> {
  const h = createHash("sha256");
  for (const f of await recipeFiles(composeDir)) {
    h.update(f).update("\0").update(await readFile(path.join(composeDir, f))).update("\0");
  }
  return h.digest("hex").slice(0, 12);
}
