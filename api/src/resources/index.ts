// Every resource of the package, declared once. See declare.ts for what a declaration holds.
export * from "./declare";
export * from "./bridge";
export * from "./dnsForwarder";
export * from "./image";
export * from "./instance";
export * from "./network";
export * from "./package";
export * from "./template";
export { buildSchema, schemaText } from "./schema";
