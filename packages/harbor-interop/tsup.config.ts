import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.config.base.js";

// task-driver is its own entry: `hud harbor export` bundles it from beside the package's code.
export default defineConfig(
  packageBuild({ entry: { index: "src/index.ts", "task-driver": "src/export/task-driver.ts" } }),
);
