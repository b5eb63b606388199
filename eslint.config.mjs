import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Import boundaries (docs/architecture.md, "Layout"): the contract package depends on nothing of
// ours; the provider reaches the agent only through it; the agent's libraries (dns/, qemu/,
// firewall/, fence/, util/) and core modules (state, errors, constants) never reach into a resource folder,
// so they stay usable and testable on their own.
const RESOURCE_FOLDERS = "(network|instance|image|bridge|dnsForwarder|template)";
const boundary = (message, ...regexes) => ({
  "no-restricted-imports": ["error", { patterns: regexes.map((regex) => ({ regex, message })) }],
});
// A resource's manager and its side modules reach the host only through the resource's host.ts (the
// interface its unit tests fake); only host.ts and the files that implement its operations import
// what runs commands, talks QMP or spawns processes. Types may still be imported from anywhere.
const HOST_CODE = [
  "agent/src/*/host.ts",
  "agent/src/network/dhcp.ts",
  "agent/src/image/fetch.ts",
  "agent/src/image/inspect.ts",
  "agent/src/instance/discovery.ts",
  "agent/src/instance/ready.ts",
  "agent/src/instance/taps.ts",
];

export default tseslint.config(
  {
    ignores: [
      "**/dist/**",
      "sdk/**",
      "api/src/gen/**",
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
  {
    files: ["api/src/**"],
    rules: boundary(
      "the contract package depends on nothing of ours",
      "^@pulumi-qemu/(agent|provider)",
      "^(\\.\\./){2,}(agent|provider)(/|$)",
    ),
  },
  {
    files: ["provider/src/**"],
    rules: boundary(
      "the provider talks to the agent only through @pulumi-qemu/api",
      "^@pulumi-qemu/agent",
      "^(\\.\\./){2,}(agent|api)(/|$)",
    ),
  },
  {
    files: [
      "agent/src/dns/**",
      "agent/src/qemu/**",
      "agent/src/firewall/**",
      "agent/src/fence/**",
      "agent/src/util/**",
      "agent/src/state.ts",
      "agent/src/errors.ts",
      "agent/src/constants.ts",
    ],
    rules: boundary(
      "a library (dns/, qemu/, firewall/, fence/, util/) never imports a resource folder; shared code goes to @pulumi-qemu/api",
      `^(\\./|(\\.\\./)+)${RESOURCE_FOLDERS}(/|$)`,
      "^@pulumi-qemu/(agent|provider)",
    ),
  },
  {
    files: ["agent/src/{network,instance,image,bridge,dnsForwarder,template}/*.ts"],
    ignores: HOST_CODE,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex:
                "^(\\.\\./util/exec|\\.\\./qemu/(process|qmp|accel|seed|migrate)|\\.\\./fence/apply|node:child_process|execa|\\./(fetch|inspect|dhcp))$",
              allowTypeImports: true,
              message: "host work goes through the resource's host.ts (the interface its unit tests fake)",
            },
          ],
        },
      ],
    },
  },
);
