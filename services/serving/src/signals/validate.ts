import { createHash } from 'node:crypto';
import { Artifact, ARTIFACT_KINDS, Manifest, type ArtifactKind } from '@recsys/contracts-publisher';
import { SignalLoadError } from './errors.js';

export interface SignalKey {
  tenantId: string;
  surface: string;
  segment: string;
}

export type ArtifactSet = Partial<Record<ArtifactKind, Artifact>>;

export function keyString(key: SignalKey): string {
  return `${key.tenantId}/${key.surface}/${key.segment}`;
}

export function sha256Hex(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function issueText(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/** Parses and checks a manifest document against the (tenant, surface[, segment]) it was loaded for. */
export function checkManifest(raw: unknown, key: SignalKey, checkSegment: boolean): Manifest {
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    throw new SignalLoadError('manifest', `manifest invalid: ${issueText(parsed.error)}`, true);
  }
  const manifest = parsed.data;
  if (manifest.tenant !== key.tenantId || manifest.surface !== key.surface) {
    throw new SignalLoadError(
      'manifest',
      `manifest is for ${manifest.tenant}/${manifest.surface}, expected ${key.tenantId}/${key.surface}`,
      true,
    );
  }
  if (checkSegment && manifest.segment !== key.segment) {
    throw new SignalLoadError(
      'manifest',
      `manifest is for segment ${manifest.segment}, expected ${key.segment}`,
      true,
    );
  }
  return manifest;
}

/** Parses one artifact document and checks its type, tenant and surface. */
export function checkArtifact(raw: unknown, kind: ArtifactKind, key: SignalKey): Artifact {
  const parsed = Artifact.safeParse(raw);
  if (!parsed.success) {
    throw new SignalLoadError(kind, `${kind} artifact invalid: ${issueText(parsed.error)}`, true);
  }
  const artifact = parsed.data;
  if (artifact.artifact_type !== kind) {
    throw new SignalLoadError(kind, `${kind} entry holds a ${artifact.artifact_type} artifact`, true);
  }
  if (artifact.tenant !== key.tenantId || artifact.surface !== key.surface) {
    throw new SignalLoadError(
      kind,
      `${kind} artifact is for ${artifact.tenant}/${artifact.surface}, expected ${key.tenantId}/${key.surface}`,
      true,
    );
  }
  return artifact;
}

/** Checks the bytes of an artifact against the manifest's checksum entry (when it has one). */
export function checkChecksum(manifest: Manifest, kind: ArtifactKind, bytes: Buffer): void {
  const entry = manifest.artifacts[kind];
  if (!entry) return;
  if (entry.bytes !== bytes.length) {
    throw new SignalLoadError(
      kind,
      `${kind} artifact has ${bytes.length} bytes, manifest says ${entry.bytes}`,
      true,
    );
  }
  const digest = sha256Hex(bytes);
  if (digest !== entry.sha256) {
    throw new SignalLoadError(kind, `${kind} artifact checksum mismatch`, true);
  }
}

/** Row counts per section of an artifact set (reported by the bulk-load endpoint and the status route). */
export function countArtifacts(artifacts: ArtifactSet): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of ARTIFACT_KINDS) {
    const a = artifacts[kind];
    if (!a) continue;
    switch (a.artifact_type) {
      case 'popularity':
      case 'content_sim':
      case 'catalog':
        counts[kind] = a.items.length;
        break;
      case 'implicit':
        counts[kind] = a.users.length;
        break;
      default:
        counts[kind] = a.neighbors.length;
    }
  }
  return counts;
}
