/** Progress lines for people: to stderr, so stdout stays parseable. Quiet under PGCHAOS_QUIET=1. */
export type Progress = (line: string) => void;

export const stderrProgress: Progress = (line) => {
  if (process.env.PGCHAOS_QUIET === "1") return;
  process.stderr.write(`pgchaos: ${line}\n`);
};

export const silentProgress: Progress = () => {};
