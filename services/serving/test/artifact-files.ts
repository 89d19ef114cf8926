import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { artifactsFor, manifestFor, type SignalSpec } from './harness.js';

/**
 * Writes a versioned artifact set the way the publisher lays it out (objects first, `current` manifest
 * last) through `put(key, bytes)`; returns the manifest bytes' key. URIs are built with `uriOf(key)`.
 */
export async function writeArtifactSet(
  put: (key: string, body: string) => Promise<void> | void,
  uriOf: (key: string) => string,
  tenant: string,
  surface: string,
  version: string,
  spec: SignalSpec,
  options: { tamper?: string; manifestKey?: string } = {},
): Promise<void> {
  const artifacts = artifactsFor(tenant, surface, 'default', spec);
  const current: Record<string, string> = {};
  const entries: Record<string, { uri: string; sha256: string; bytes: number }> = {};
  for (const [kind, doc] of Object.entries(artifacts)) {
    const key = `${tenant}/${surface}/${version}/${kind}.json`;
    const body = JSON.stringify(doc);
    const written = options.tamper === kind ? body.replace('"score":', '"score": ') : body;
    await put(key, written);
    current[kind] = uriOf(key);
    entries[kind] = {
      uri: uriOf(key),
      sha256: createHash('sha256').update(body).digest('hex'),
      bytes: Buffer.byteLength(body),
    };
  }
  await put(
    options.manifestKey ?? `${tenant}/${surface}/manifest.json`,
    JSON.stringify(manifestFor(tenant, surface, 'default', version, current, entries)),
  );
}

export function fileWriter(root: string) {
  return (key: string, body: string) => {
    const path = join(root, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  };
}
