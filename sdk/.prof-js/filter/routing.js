/** Number of rows routed to each output (dropped rows are not counted). */
export function routingCounts(routing) {
    const counts = new Array(routing.outputs.length).fill(0);
    const index = routing.index;
    for (let row = 0; row < index.length; row++) {
        const k = index[row];
        if (k >= 0) {
            counts[k]++;
        }
    }
    return counts;
}
/** Row indices per output, in row order: what a stage needs to build one batch per topic. */
export function rowsByOutput(routing) {
    const counts = routingCounts(routing);
    const rows = counts.map(n => new Int32Array(n));
    const filled = new Array(counts.length).fill(0);
    const index = routing.index;
    for (let row = 0; row < index.length; row++) {
        const k = index[row];
        if (k >= 0) {
            rows[k][filled[k]++] = row;
        }
    }
    return rows;
}
/** Number of dropped rows (-1). */
export function droppedCount(routing) {
    let dropped = 0;
    for (const k of routing.index) {
        if (k < 0) {
            dropped++;
        }
    }
    return dropped;
}
