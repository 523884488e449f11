import v8 from 'node:v8';

/** Old-space growth per full collection, in percent (V8 picks 10 to 300 by its own measure). */
const SYNC_HEAP_GROWING_PERCENT = 20;

/**
 * A sync's live heap is small and does not grow with the shop (a chunk of statement pages and a
 * post() call's documents), but it makes garbage fast, and V8, sizing the heap by how quickly it
 * collects, let it grow to three or four times what is live before collecting it: most of the
 * peak memory of a run was garbage waiting. Growing the heap by a fifth at a time keeps the peak
 * near what is live, at the cost of more frequent (short, the live heap being small) full
 * collections. Read by V8 at each collection, so it applies from here on.
 */
export function keepHeapNearLive(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${SYNC_HEAP_GROWING_PERCENT}`);
}
