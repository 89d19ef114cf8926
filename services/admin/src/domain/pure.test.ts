import { generateApiKey, hashApiKey, hashesEqual, keyPrefixOf } from './api-key-format.js';
import { normalizeTargets } from './cache.js';
import { documentEtag, ifNoneMatchHits, parseIfMatch } from './etag.js';
import { redactSecrets } from './redact.js';
import { validateConfig, validateRules } from './validation.js';
import { lineDiff } from '../cli/diff.js';

describe('etag helpers', () => {
  it('when documents differ only in key order, then their ETags are equal lowercase hex sha256', () => {
    expect(documentEtag({ a: 1, b: [1, { y: 2, x: 1 }] })).toBe(
      documentEtag({ b: [1, { x: 1, y: 2 }], a: 1 }),
    );
    expect(documentEtag([])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when If-Match is quoted or padded, then quotes and whitespace are stripped; W/ is kept as the reference does', () => {
    expect(parseIfMatch(' "abc" ')).toBe('abc');
    expect(parseIfMatch('abc')).toBe('abc');
    expect(parseIfMatch('W/"abc"')).toBe('W/"abc"');
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('  ')).toBeUndefined();
  });

  it('when If-None-Match lists tags, then any match (or *) hits', () => {
    expect(ifNoneMatchHits('"x", "abc"', 'abc')).toBe(true);
    expect(ifNoneMatchHits('W/"abc"', 'abc')).toBe(true);
    expect(ifNoneMatchHits('*', 'abc')).toBe(true);
    expect(ifNoneMatchHits('"x"', 'abc')).toBe(false);
    expect(ifNoneMatchHits(undefined, 'abc')).toBe(false);
  });
});

describe('api key format', () => {
  it('when a key is generated, then its prefix parses back and the HMAC depends on the server secret', () => {
    const { apiKey, prefix } = generateApiKey();
    expect(keyPrefixOf(apiKey)).toBe(prefix);
    expect(keyPrefixOf(`  ${apiKey} `)).toBe(prefix);
    expect(keyPrefixOf('rk_xyz_abc')).toBeUndefined();
    const h1 = hashApiKey(apiKey, 'secret-one-0123456789');
    expect(h1).toBe(hashApiKey(` ${apiKey}`, 'secret-one-0123456789'));
    expect(h1).not.toBe(hashApiKey(apiKey, 'secret-two-0123456789'));
    expect(hashesEqual(h1, h1)).toBe(true);
    expect(hashesEqual(h1, hashApiKey(apiKey, 'secret-two-0123456789'))).toBe(false);
    expect(hashesEqual(h1, 'abcd')).toBe(false);
  });
});

describe('redactSecrets', () => {
  it('when nested objects hold secret-looking keys, then only those values are masked', () => {
    expect(redactSecrets({ a: 1, nested: [{ api_key: 'x', token: 'y', name: 'n' }], password: 'p' })).toEqual(
      {
        a: 1,
        nested: [{ api_key: '[redacted]', token: '[redacted]', name: 'n' }],
        password: '[redacted]',
      },
    );
  });
});

describe('document validation', () => {
  it('when config weights are negative, then the 422 error carries the JSON pointer', () => {
    expect(() => validateConfig({ weights: { pop: -1 } })).toThrow(expect.objectContaining({ status: 422 }));
    try {
      validateConfig({ ranking: { mmr_lambda: 2 } });
    } catch (error) {
      expect((error as any).errors[0].pointer).toBe('/ranking/mmr_lambda');
    }
  });

  it('when rules are wrapped in {rules}, then pointers and warnings are under /rules', () => {
    try {
      validateRules({ rules: [{ action: 'jump', target_type: 'item', item_ids: ['a'] }] });
      throw new Error('expected a validation error');
    } catch (error) {
      expect((error as any).errors[0].pointer).toBe('/rules/0/action');
    }
    const { warnings } = validateRules({
      rules: [{ action: 'block', target_type: 'item', item_ids: ['a'], enabled: false }],
    });
    expect(warnings).toEqual(['/rules/0: disabled']);
  });
});

describe('document shape limits', () => {
  it('when a document nests thousands of levels deep, then 422 rather than a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = { a: deep };
    expect(() => validateConfig(deep)).toThrow(
      expect.objectContaining({ status: 422, code: 'RECSYS_INVALID_CONFIG' }),
    );
    let list: unknown = [];
    for (let i = 0; i < 20_000; i++) list = [list];
    expect(() => validateRules(list)).toThrow(
      expect.objectContaining({ status: 422, code: 'RECSYS_INVALID_RULES' }),
    );
  });
});

describe('normalizeTargets', () => {
  it('when targets repeat in mixed case, then they are de-duplicated; empty → 400, unknown → 422', () => {
    expect(normalizeTargets([' Rules', 'rules', 'popularity'])).toEqual(['rules', 'popularity']);
    expect(() => normalizeTargets([])).toThrow(
      expect.objectContaining({ status: 400, code: 'RECSYS_INVALID_TARGETS' }),
    );
    expect(() => normalizeTargets(['x'])).toThrow(expect.objectContaining({ status: 422 }));
  });
});

describe('lineDiff', () => {
  it('when one line changes, then it shows - and + with three lines of context; no change gives no lines', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toEqual(['  a', '- b', '+ B', '  c']);
    expect(lineDiff('same', 'same')).toEqual([]);
    expect(lineDiff('1\n2\n3\n4\n5\n6\n7\n8\n9', '1\n2\n3\n4\n5\n6\n7\n8\nX')).toEqual([
      '  …',
      '  6',
      '  7',
      '  8',
      '- 9',
      '+ X',
    ]);
  });
});
