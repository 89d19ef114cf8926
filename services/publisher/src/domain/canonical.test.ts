import { canonicalJson, sha256Hex } from './canonical.js';

describe('canonicalJson', () => {
  it('when keys are in any order, then the output sorts them and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 1, y: undefined, x: 2 } })).toBe(
      '{"a":[true,null,"x"],"b":1,"c":{"x":2,"z":1}}',
    );
  });

  it('when a number is NaN or Infinity, then encoding fails', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson([Infinity])).toThrow(/non-finite/);
  });

  it('when hashing, then sha256 is the standard hex digest', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
