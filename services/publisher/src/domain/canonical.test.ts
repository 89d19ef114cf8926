import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalDigest, canonicalJson, sha256Hex, spoolCanonical, writeCanonical } from './canonical.js';

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

  const doc = {
    v: 1,
    z: 'ünïcødé 😀 "quoted" \\ \n',
    neighbors: Array.from({ length: 300 }, (_, i) => ({
      item_id: `i${i}`,
      items: [{ score: i / 7, item_id: `j${i}` }, undefined, null],
    })),
    a: { y: undefined, x: [true, false, -0.5e-9] },
  };

  it('when written in small chunks, then the chunks join to exactly canonicalJson', () => {
    const chunks: string[] = [];
    writeCanonical(doc, (c) => chunks.push(c), 64);
    expect(chunks.length).toBeGreaterThan(10);
    expect(chunks.join('')).toBe(canonicalJson(doc));
  });

  it('when digested or spooled, then sha256 and length are those of the whole UTF-8 text', () => {
    const text = canonicalJson(doc);
    const expected = { sha256: sha256Hex(text), bytes: Buffer.byteLength(text) };
    expect(canonicalDigest(doc)).toEqual(expected);
    const dir = mkdtempSync(join(tmpdir(), 'canonical-test-'));
    try {
      expect(spoolCanonical(doc, join(dir, 'a.json'))).toEqual(expected);
      expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when streaming hits a non-finite number, then it fails like canonicalJson', () => {
    expect(() => canonicalDigest({ a: [1, NaN] })).toThrow(/non-finite/);
  });
});
