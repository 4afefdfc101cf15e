import { describeScenarioShard } from "./scenario-shard.js";

describeScenarioShard(1);
