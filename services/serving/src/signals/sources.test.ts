import { deriveStagedTemplate, expandTemplate, safeTemplateValue } from './sources.js';

describe('manifest templates', () => {
  it('when values are safe, then {tenant}, {surface}, {segment} and {version} are substituted', () => {
    expect(
      expandTemplate('s3://b/registry/current/{tenant}/{surface}/{segment}/manifest.json', {
        tenant: 'acme',
        surface: 'home',
        segment: 'default',
      }),
    ).toBe('s3://b/registry/current/acme/home/default/manifest.json');
  });

  it('when a value could traverse or separate paths, then it is rejected', () => {
    for (const bad of ['..', '.', 'a/b', 'a\\b', '', 'x\u0000', 'a b']) {
      expect(() => safeTemplateValue('tenant', bad)).toThrow(/invalid path segment/);
    }
  });

  it('when deriving the staged template, then current/ becomes staged/ and {version} precedes the file name', () => {
    expect(
      deriveStagedTemplate('s3://recsys-artifacts/registry/current/{tenant}/{surface}/manifest.json'),
    ).toBe('s3://recsys-artifacts/registry/staged/{tenant}/{surface}/{version}/manifest.json');
  });
});
