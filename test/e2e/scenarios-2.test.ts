import { describeScenarioShard } from "./scenario-shard.js";

// The second half of the shipped scenarios, in its own file so that it runs in the e2e project's other fork.
describeScenarioShard(2);
