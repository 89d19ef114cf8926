/**
 * Dense linear algebra on row-major Float64Array matrices, enough for EASE: the inverse of a symmetric
 * positive-definite matrix through its Cholesky factor, A = L·Lᵀ, A⁻¹ = L⁻ᵀ·L⁻¹.
 *
 * Every inner loop is a dot product of two contiguous row segments (no strided access, no stores), which
 * V8 runs close to one multiply-add per cycle. Cost: n³/6 (factor) + n³/6 (triangular inverse) + n³/6
 * (product, upper triangle mirrored) multiply-adds. Memory: the input plus one n×n scratch matrix.
 */

function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  const end4 = len - (len % 4);
  for (; t < end4; t += 4) {
    s0 += a[aOff + t]! * b[bOff + t]!;
    s1 += a[aOff + t + 1]! * b[bOff + t + 1]!;
    s2 += a[aOff + t + 2]! * b[bOff + t + 2]!;
    s3 += a[aOff + t + 3]! * b[bOff + t + 3]!;
  }
  for (; t < len; t++) s0 += a[aOff + t]! * b[bOff + t]!;
  return s0 + s1 + s2 + s3;
}

/** Rows processed together so each row streamed from memory is reused BLOCK times while it is in cache. */
const BLOCK = 32;

/**
 * Replaces `a` (n×n, symmetric positive definite) by its inverse. Throws when a pivot is not positive
 * (the matrix is not SPD: for EASE this means λ is missing or the data contains NaN).
 * `onProgress(fraction)` is called now and then with a value in [0, 1].
 *
 * Each phase walks the matrix in blocks of BLOCK rows: the row it streams (row j of L or M) is combined with
 * every row of the block before moving on, so the matrix is read from memory n/BLOCK times instead of n.
 */
export function invertSpdInPlace(a: Float64Array, n: number, onProgress?: (fraction: number) => void): void {
  if (a.length !== n * n) throw new Error(`matrix has ${a.length} cells, expected ${n * n}`);
  const report = (phase: number, i: number) => onProgress?.((phase + i / n) / 3);
  // 1. Cholesky into the lower triangle of `a`: L[i][j] = (A[i][j] − L[i][0..j)·L[j][0..j)) / L[j][j].
  for (let ib = 0; ib < n; ib += BLOCK) {
    const ie = Math.min(n, ib + BLOCK);
    for (let j = 0; j < ie; j++) {
      const jOff = j * n;
      if (j >= ib) {
        const d = a[jOff + j]! - dot(a, jOff, a, jOff, j);
        if (!(d > 0) || !Number.isFinite(d)) {
          throw new Error(`matrix is not positive definite (pivot ${d} at row ${j})`);
        }
        a[jOff + j] = Math.sqrt(d);
      }
      const pivot = a[jOff + j]!;
      for (let i = Math.max(ib, j + 1); i < ie; i++) {
        const iOff = i * n;
        a[iOff + j] = (a[iOff + j]! - dot(a, iOff, a, jOff, j)) / pivot;
      }
    }
    report(0, ie);
  }
  // 2. M = L⁻ᵀ (upper triangular): M[j][j] = 1/L[j][j];  M[j][i] = −(L[i][j..i) · M[j][j..i)) / L[i][i], i > j.
  const m = new Float64Array(n * n);
  for (let jb = 0; jb < n; jb += BLOCK) {
    const je = Math.min(n, jb + BLOCK);
    for (let j = jb; j < je; j++) m[j * n + j] = 1 / a[j * n + j]!;
    for (let i = jb + 1; i < n; i++) {
      const iOff = i * n;
      const lii = a[iOff + i]!;
      for (let j = jb; j < je && j < i; j++) {
        const jOff = j * n;
        m[jOff + i] = -dot(a, iOff + j, m, jOff + j, i - j) / lii;
      }
    }
    report(1, je);
  }
  // 3. A⁻¹ = L⁻ᵀ·L⁻¹ = M·Mᵀ: P[i][j] = M[i][j..n) · M[j][j..n) for i ≤ j, mirrored.
  for (let ib = 0; ib < n; ib += BLOCK) {
    const ie = Math.min(n, ib + BLOCK);
    for (let j = ib; j < n; j++) {
      const jOff = j * n;
      for (let i = ib; i < ie && i <= j; i++) {
        const v = dot(m, i * n + j, m, jOff + j, n - j);
        a[i * n + j] = v;
        a[jOff + i] = v;
      }
    }
    report(2, ie);
  }
  onProgress?.(1);
}

/** C = A·B for n×n row-major matrices (tests only; O(n³)). */
export function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const f = a[i * n + k]!;
      if (f === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + f * b[k * n + j]!;
    }
  }
  return c;
}
