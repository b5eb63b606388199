// The QEMU library of qvmd: argv building, QMP, accelerator probing, NoCloud seeds, processes.
export * from "./argv";
export * from "./qmp";
export * from "./qmp-wire";
export * from "./accel";
export * from "./seed";
export * from "./process";
