import type { PlannedStep } from "../../runner/plan.js";

/** The upgrade-patroni steps of a plan. */
export function upgradeSteps(steps: readonly PlannedStep[]): (PlannedStep & { step: { kind: "action"; action: "upgrade-patroni"; to: string } })[] {
  return steps.filter((s): s is PlannedStep & { step: { kind: "action"; action: "upgrade-patroni"; to: string } } => s.step.kind === "action" && s.step.action === "upgrade-patroni");
}

/**
 * Each upgrade-patroni step whose version the lab image does not carry, one positioned sentence
 * each (checked once the image is known, before any lab container starts).
 */
export function missingUpgradeVersions(steps: readonly PlannedStep[], image: { ref: string; own: string; beside: readonly string[] }): string[] {
  const allowed = [image.own, ...image.beside];
  return upgradeSteps(steps)
    .filter((s) => !allowed.includes(s.step.to))
    .map(
      (s) =>
        `step ${s.index + 1} (line ${s.line}, ${s.label}): upgrade-patroni to ${s.step.to}: the lab image ${image.ref} carries Patroni ${image.own} (its own)` +
        `${image.beside.length ? ` and ${image.beside.join(", ")} beside it` : " and no other version (only the bookworm stack has an upgrade layer)"}; allowed: ${allowed.join(", ")}`,
    );
}
