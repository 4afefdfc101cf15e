import { defineCommand } from "../command.js";

export default defineCommand({
  name: "image",
  summary: "Build the lab image of a stack (done automatically on first use) and print its tag; `image check REF` checks an image of your own.",
  args: { usage: "[check REF]" },
  options: {
    stack: { type: "string", value: "NAME", help: "the stack: bookworm (default), trixie, sid" },
    force: { type: "boolean", help: "rebuild even when the image exists" },
    "install-engine": { type: "boolean", help: "as root on Debian: install (docker.io) and start a Docker engine when none answers" },
  },
  async run(v, args, io) {
    const { UserFacingError } = await import("../../util/errors.js");
    if (v["install-engine"]) (await import("../../engine/docker-engine.js")).allowSystemChanges();
    if (args[0] === "check") {
      if (args.length !== 2) throw new UserFacingError("usage: pgchaos image check IMAGE_REF");
      const { imageCheckCommand } = await import("../commands/image.js");
      return imageCheckCommand(args[1], io.out);
    }
    if (args.length) throw new UserFacingError(`pgchaos image: unexpected '${args[0]}'; usage: pgchaos image [--stack NAME] [--force] | pgchaos image check IMAGE_REF`);
    const { imageCommand } = await import("../commands/image.js");
    return imageCommand({ force: v.force, stack: v.stack }, io.out);
  },
});
