import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "sdk/**",
      "agent/src/api/gen/**",
      "**/node_modules/**",
      ".tools/**",
      ".state/**",
      "tools/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Stdout of the provider belongs to the engine handshake; logs go to stderr.
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
  { files: ["test/**", "bench/**", "scripts/**", "examples/**"], rules: { "no-console": "off" } },
);
