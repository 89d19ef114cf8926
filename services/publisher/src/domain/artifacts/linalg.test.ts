import { invertSpdInPlace, multiply } from './linalg.js';

describe('invertSpdInPlace', () => {
  it('when given a 2×2 SPD matrix, then it returns the hand-computed inverse', () => {
    // [[4, 2], [2, 3]]⁻¹ = 1/8 · [[3, −2], [−2, 4]]
    const a = Float64Array.from([4, 2, 2, 3]);
    invertSpdInPlace(a, 2);
    expect([...a].map((v) => Number(v.toFixed(12)))).toEqual([0.375, -0.25, -0.25, 0.5]);
  });

  it('when given a random 70×70 (blocks of 32 and a partial one) Gram matrix plus λI, then A·A⁻¹ is the identity', () => {
    const n = 70;
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const x = Array.from({ length: 200 }, () => Array.from({ length: n }, () => (rand() < 0.2 ? 1 : 0)));
    const a = new Float64Array(n * n);
    for (const row of x)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j]! += row[i]! * row[j]!;
    for (let i = 0; i < n; i++) a[i * n + i]! += 5;
    const original = a.slice();
    invertSpdInPlace(a, n);
    const product = multiply(original, a, n);
    let maxError = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        maxError = Math.max(maxError, Math.abs(product[i * n + j]! - (i === j ? 1 : 0)));
    expect(maxError).toBeLessThan(1e-9);
  });

  it('when the matrix is not positive definite, then it throws instead of returning garbage', () => {
    expect(() => invertSpdInPlace(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});
