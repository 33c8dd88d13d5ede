import { defineConfig } from "tsup";

// `pnpm study-upload` runs this output with plain Node: the workspace's TypeScript packages are bundled in,
// npm dependencies stay external and load from node_modules.
export default defineConfig({
  entry: { "study-upload": "src/main.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  noExternal: [/^@study-uploader\//],
  banner: { js: "#!/usr/bin/env node" },
});
