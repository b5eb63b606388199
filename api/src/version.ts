// Generated from VERSION by scripts/stamp-version.ts (make gen): qvmd's and the plugin's version.
export const VERSION = "0.1.0";
