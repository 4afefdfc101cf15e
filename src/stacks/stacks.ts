import { UserFacingError } from "../util/errors.js";

/**
 * A stack: a named lab image recipe. compose/Dockerfile is shared by every stack; a stack picks
 * the Debian suite its base comes from and the build arguments. What the built image really
 * runs (Patroni, PostgreSQL, etcd versions) is read from the image (src/image/facts.ts), never
 * written here: the suite decides it.
 */
export interface StackRecipe {
  name: string;
  /** Debian suite the base image is made from (debootstrap, or the official slim image). */
  suite: string;
  /** PostgreSQL major version the suite packages (the postgresql-N package to install). */
  pgMajor: number;
  /** Whether the suite packages HAProxy (sid has none at times): topology.haproxy needs it. */
  haproxy: boolean;
  /** What a person choosing a stack should know (versions are read from the image, never written here). */
  about: string;
  /**
   * The stack whose suite's (newer) Patroni package is unpacked beside this stack's own for the
   * upgrade_patroni action (src/image/upgrade-layer.ts); absent: this stack has no upgrade layer.
   */
  patroniUpgradeFrom?: string;
}

export const STACKS: Readonly<Record<string, StackRecipe>> = {
  bookworm: { name: "bookworm", suite: "bookworm", pgMajor: 15, haproxy: true, about: "Debian 12, the default", patroniUpgradeFrom: "trixie" },
  trixie: { name: "trixie", suite: "trixie", pgMajor: 17, haproxy: true, about: "Debian 13" },
  sid: { name: "sid", suite: "sid", pgMajor: 18, haproxy: false, about: "Debian unstable, no HAProxy package" },
};

export const DEFAULT_STACK = "bookworm";

/** The build arguments compose/Dockerfile takes for a stack (BASE is added by the image builder). */
export function stackBuildArgs(stack: StackRecipe): Record<string, string> {
  return { PG_MAJOR: String(stack.pgMajor), HAPROXY: stack.haproxy ? "1" : "0" };
}

/** The named stack, or a clear error listing the known ones. */
export function stackByName(name: string | undefined): StackRecipe {
  const n = (name ?? DEFAULT_STACK).trim();
  const s = Object.hasOwn(STACKS, n) ? STACKS[n] : undefined;
  if (!s) {
    const known = Object.values(STACKS)
      .map((x) => `${x.name} (${x.about})`)
      .join(", ");
    throw new UserFacingError(`unknown stack '${n}'; known stacks: ${known}`);
  }
  return s;
}
