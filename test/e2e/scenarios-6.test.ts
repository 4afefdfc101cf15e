import { describeScenarioShard } from "./scenario-shard.js";

// Part 6 of the shipped scenarios, in its own file so that it runs in another of the e2e project's forks.
describeScenarioShard(6);
