import { defineConfig } from "tsup";

// `pnpm start` runs this output with plain Node: the workspace's TypeScript packages are bundled in,
// npm dependencies stay external and load from node_modules.
export default defineConfig({
  entry: { main: "src/main.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  noExternal: [/^@study-uploader\//],
});
