import { defineCommand } from "../command.js";

export default defineCommand({
  name: "image",
  summary: "Build the lab image (done automatically on first use) and print its tag.",
  options: {
    force: { type: "boolean", help: "rebuild even when the image exists" },
    "install-engine": { type: "boolean", help: "as root on Debian: install (docker.io) and start a Docker engine when none answers" },
  },
  async run(v, _args, io) {
    if (v["install-engine"]) (await import("../../engine/docker-engine.js")).allowSystemChanges();
    const { imageCommand } = await import("../commands/image.js");
    return imageCommand({ force: v.force }, io.out);
  },
});
