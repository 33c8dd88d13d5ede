import { defineConfig } from "vitest/config";

// The root's own tests (the lint walls); each package runs its tests with its own config.
export default defineConfig({
  test: { include: ["scripts/**/*.test.ts"], testTimeout: 60_000 },
});
