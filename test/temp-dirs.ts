/**
 * Temporary directories for tests, removed when the test file is done. Call `tempDirs()` once at
 * the top of a test file (or of a describe block: its hook runs when the block is done); the
 * function it returns makes a fresh directory under os.tmpdir() and remembers it:
 *
 *   const tmp = tempDirs();
 *   ...
 *   const dir = tmp("pgchaos-report-");
 *
 * When a test of the file (or block) failed, its directories are kept and listed on stderr:
 * they hold the reports and journals the failure is read from. (Tests used to leave every one
 * behind: hundreds of pgchaos-* folders per unit run.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

interface TaskLike {
  result?: { state?: string };
  tasks?: TaskLike[];
}

const failed = (t: TaskLike): boolean => t.result?.state === "fail" || (t.tasks ?? []).some(failed);

export function tempDirs(): (prefix: string) => string {
  const made: string[] = [];
  afterAll((suite) => {
    const dirs = made.splice(0);
    if (failed(suite as TaskLike)) {
      if (dirs.length) process.stderr.write(`kept for the failed test(s): ${dirs.join(" ")}\n`);
      return;
    }
    for (const d of dirs) {
      try {
        rmSync(d, { recursive: true, force: true, maxRetries: 3 });
      } catch (e) {
        // Cleanup never fails a test file; say what is left.
        process.stderr.write(`could not remove ${d}: ${(e as Error).message}\n`);
      }
    }
  });
  return (prefix: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
