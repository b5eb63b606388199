// Writes schema.json from the resource declarations in api/src/resources (make gen).
import { resources } from "@pulumi-qemu/api";

process.stdout.write(resources.schemaText());
