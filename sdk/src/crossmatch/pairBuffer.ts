/**
 * Growable columnar pair list used by the in-memory engines (no per-pair objects). An engine keeps
 * one and calls {@link reset} per call, so the arrays grow to the largest batch once and are then
 * reused (callers copy what they keep).
 */
export class PairBuffer {
  alertRow = new Int32Array(1024);
  catRow = new Int32Array(1024);
  chord2 = new Float64Array(1024);
  length = 0;
  private spareA = new Int32Array(0);
  private spareC = new Int32Array(0);
  private spareD = new Float64Array(0);
  private start = new Int32Array(0);

  /** Empties the buffer, keeping its capacity. */
  reset(): void {
    this.length = 0;
  }

  push(alertRow: number, catRow: number, chord2: number): void {
    if (this.length === this.alertRow.length) {
      const cap = this.length * 2;
      const a = new Int32Array(cap);
      const c = new Int32Array(cap);
      const d = new Float64Array(cap);
      a.set(this.alertRow);
      c.set(this.catRow);
      d.set(this.chord2);
      this.alertRow = a;
      this.catRow = c;
      this.chord2 = d;
    }
    this.alertRow[this.length] = alertRow;
    this.catRow[this.length] = catRow;
    this.chord2[this.length] = chord2;
    this.length++;
  }

  /** Sorts pairs [from, length) — one alert's — by (chord², catRow); insertion sort, lists are short. */
  sortTail(from: number): void {
    if (this.length - from > 32) {
      this.sortTailLong(from);
      return;
    }
    for (let i = from + 1; i < this.length; i++) {
      const c = this.catRow[i];
      const d = this.chord2[i];
      let j = i - 1;
      while (j >= from && (this.chord2[j] > d || (this.chord2[j] === d && this.catRow[j] > c))) {
        this.catRow[j + 1] = this.catRow[j];
        this.chord2[j + 1] = this.chord2[j];
        j--;
      }
      this.catRow[j + 1] = c;
      this.chord2[j + 1] = d;
    }
  }

  private sortTailLong(from: number): void {
    const n = this.length - from;
    const order = Array.from({ length: n }, (_, k) => from + k);
    const c = this.catRow.slice(from, this.length);
    const d = this.chord2.slice(from, this.length);
    order.sort((p, q) => d[p - from] - d[q - from] || c[p - from] - c[q - from]);
    for (let k = 0; k < n; k++) {
      this.catRow[from + k] = c[order[k] - from];
      this.chord2[from + k] = d[order[k] - from];
    }
  }

  /**
   * Stable reorder of all pairs by alertRow (counting sort; alert rows are < alertCount). Nothing
   * to do, and nothing allocated, when the pairs are already grouped in alert order.
   */
  sortByAlert(alertCount: number): void {
    const n = this.length;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      if (this.alertRow[i] < this.alertRow[i - 1]) {
        sorted = false;
        break;
      }
    }
    if (sorted) {
      return;
    }
    if (this.start.length < alertCount + 1) {
      this.start = new Int32Array(alertCount + 1);
    }
    const start = this.start;
    start.fill(0, 0, alertCount + 1);
    for (let i = 0; i < n; i++) {
      start[this.alertRow[i] + 1]++;
    }
    for (let a = 0; a < alertCount; a++) {
      start[a + 1] += start[a];
    }
    // The other half of a double buffer: the engine sorts every call (alerts are scanned in zone
    // order), so the sorted copy goes into last call's arrays instead of fresh ones.
    const cap = this.alertRow.length;
    const a2 = this.spareA.length === cap ? this.spareA : new Int32Array(cap);
    const c2 = this.spareC.length === cap ? this.spareC : new Int32Array(cap);
    const d2 = this.spareD.length === cap ? this.spareD : new Float64Array(cap);
    for (let i = 0; i < n; i++) {
      const k = start[this.alertRow[i]]++;
      a2[k] = this.alertRow[i];
      c2[k] = this.catRow[i];
      d2[k] = this.chord2[i];
    }
    this.spareA = this.alertRow;
    this.spareC = this.catRow;
    this.spareD = this.chord2;
    this.alertRow = a2;
    this.catRow = c2;
    this.chord2 = d2;
  }

  /**
   * The pairs in alert order (stable) as fresh arrays of exactly {@link length} entries, for the
   * caller to keep: {@link sortByAlert} and a copy-out in one pass (a counting sort that scatters
   * straight into the new arrays), the buffer itself left as it was.
   */
  takeInAlertOrder(alertCount: number): {
    alertRow: Int32Array;
    catRow: Int32Array;
    chord2: Float64Array;
  } {
    const n = this.length;
    const src = this.alertRow;
    const alertRow = new Int32Array(n);
    const catRow = new Int32Array(n);
    const chord2 = new Float64Array(n);
    let sorted = true;
    for (let i = 1; i < n; i++) {
      if (src[i] < src[i - 1]) {
        sorted = false;
        break;
      }
    }
    if (sorted) {
      alertRow.set(src.subarray(0, n));
      catRow.set(this.catRow.subarray(0, n));
      chord2.set(this.chord2.subarray(0, n));
      return { alertRow, catRow, chord2 };
    }
    if (this.start.length < alertCount + 1) {
      this.start = new Int32Array(alertCount + 1);
    }
    const start = this.start;
    start.fill(0, 0, alertCount + 1);
    for (let i = 0; i < n; i++) {
      start[src[i] + 1]++;
    }
    for (let a = 0; a < alertCount; a++) {
      start[a + 1] += start[a];
    }
    const c = this.catRow;
    const d = this.chord2;
    for (let i = 0; i < n; i++) {
      const a = src[i];
      const k = start[a]++;
      alertRow[k] = a;
      catRow[k] = c[i];
      chord2[k] = d[i];
    }
    return { alertRow, catRow, chord2 };
  }
}
