import { UserFacingError } from "../../util/errors.js";

/** A fault setting the scenario format knows but this build cannot inject. */
export class FaultNotImplemented extends UserFacingError {}
