// Driving a local stack is shared with the benchmarks, so it lives beside the stack (local/stack/driver.ts).
export * from '../../local/stack/driver.js';
