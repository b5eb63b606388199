// Imported first by main.ts: libuv sizes its thread pool once, at its first use, from this
// variable. Every file operation and fsync of qvmd runs on that pool, and an instance's start runs
// several at once (state writes' fsyncs, the seed, the overlay, directory listings) beside other
// calls' work: with libuv's default of 4 threads, a listing waited behind fsyncs (a wait on the
// disk, not on the CPU; bench/instance/PROFILE.md). An admin's own setting is kept.
process.env.UV_THREADPOOL_SIZE ??= "16";
