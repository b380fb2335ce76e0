// The SSE client tests read streams with lives beside the local stack, which benchmarks drive too.
export * from '../../local/stack/sse-client.js';
