// One lint setup for the workspace: typescript-eslint (type-aware), React hooks, Prettier owns formatting,
// and the architecture's walls as import rules. `pnpm lint` runs this and `prettier --check`.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Test code: tests, Playwright specs and fixtures, and test helpers. Only test code may import test code. */
const TEST_FILES = ["**/*.test.ts", "**/*.test.tsx", "**/*.spec.ts", "**/test/**", "**/testing/**", "e2e/**"];

const testCode = {
  group: ["**/test/**", "**/testing/**", "**/testing", "**/*.test", "**/*.test.js", "**/*.spec", "**/*.spec.js"],
  message: "Non-test code never imports test code: move what both need out of the test folder.",
};
const appSources = {
  group: [
    "**/apps/**",
    "@study-uploader/web",
    "@study-uploader/web/**",
    "@study-uploader/sas-api",
    "@study-uploader/sas-api/**",
  ],
  message: "This package sits below the apps and must not import them.",
};
const uploadEngine = {
  group: ["@study-uploader/upload-engine", "@study-uploader/upload-engine/**", "**/upload-engine/**"],
  message: "The shared contract depends on nothing of ours.",
};
const react = {
  group: ["react", "react/**", "react-dom", "react-dom/**", "zustand", "zustand/**"],
  message: "The upload engine is framework-free: React and zustand live in apps/web.",
};
const azureSdk = {
  group: ["@azure/*", "@azure/**"],
  message: "Only apps/sas-api/src/storage talks to Azure: export what you need from there.",
};
const httpLayer = {
  group: ["hono", "hono/**", "@hono/**", "**/errors.js", "**/routes/**", "**/app.js", "**/app-env.js"],
  message: "The domain speaks the domain: throw a DomainError; only the routes and errors.ts speak HTTP.",
};
const apiSource = {
  group: ["**/apps/**", "@study-uploader/sas-api/src/**"],
  message: "Reach the API through its package exports (@study-uploader/sas-api/...), not its source files.",
};
const apiPackage = {
  group: ["@study-uploader/sas-api", "@study-uploader/sas-api/**", "**/sas-api/**"],
  message: "The web app talks to the API over HTTP only, through the shared client.",
};

/**
 * One area's walls. Flat config replaces a rule's options instead of merging them, so each area states all its
 * walls in one place: its tests keep them, and its code may in addition not import test code.
 */
const wall = (files, patterns, ignores = []) => [
  { files, ignores, rules: { "no-restricted-imports": ["error", { patterns }] } },
  {
    files,
    ignores: [...ignores, ...TEST_FILES],
    rules: { "no-restricted-imports": ["error", { patterns: [...patterns, testCode] }] },
  },
];

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "coverage/**",
      "**/test-results/**",
      "**/playwright-report/**",
      ".data/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      // Async functions often satisfy a promise-returning interface without awaiting anything.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-floating-promises": ["error", { ignoreVoid: true }],
      "@typescript-eslint/only-throw-error": "error",
      eqeqeq: ["error", "always"],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  // Plain JavaScript (this file) has no types to check.
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
  {
    files: ["apps/web/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat["recommended-latest"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: TEST_FILES,
    rules: {
      // Tests assert on parsed JSON and mocks; strict any-checks there cost more than they catch.
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "no-console": "off",
    },
  },
  {
    files: ["e2e/**/*.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { property: "waitForTimeout", message: "Wait for a state with a web-first assertion or expect.poll instead." },
        { property: "querySelector", message: "Find elements with locators (by role or label)." },
        { property: "querySelectorAll", message: "Find elements with locators (by role or label)." },
        { property: "activeElement", message: "Use expect(locator).toBeFocused()." },
      ],
    },
  },
  {
    // The domain's clock is a dependency (`deps.now`), so tests can step it and every rule reads the same time.
    files: ["apps/sas-api/src/domain/**/*.ts"],
    ignores: TEST_FILES,
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Read the injected clock: deps.now()." },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: "Read the injected clock: new Date(deps.now()).",
        },
      ],
    },
  },
  {
    // CONTRIBUTING: no source file over 300 lines, each with one reason to change. A file that grows past it is
    // split in the same change.
    files: ["**/*.{ts,tsx,js}"],
    ignores: TEST_FILES,
    rules: { "max-lines": ["error", { max: 300 }] },
  },

  // The walls.
  ...wall(["packages/shared/**"], [appSources, uploadEngine, react, azureSdk]),
  ...wall(["packages/upload-engine/**"], [appSources, react, azureSdk]),
  ...wall(["apps/sas-api/src/**"], [azureSdk], ["apps/sas-api/src/storage/**"]),
  ...wall(["apps/sas-api/src/domain/**"], [azureSdk, httpLayer]),
  ...wall(["apps/sas-api/src/storage/**", "apps/sas-api/scripts/**"], []),
  ...wall(["apps/web/**"], [azureSdk, apiPackage]),
  ...wall(["apps/cli/**"], [azureSdk, apiPackage, react]),
  ...wall(["bench/**", "e2e/**"], [apiSource]),
  prettier,
);
