import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  PreconditionFailedError,
  type ObjectStore,
  type PutOptions,
  type StoredObject,
} from '../domain/publish/store.js';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' for the root). */
  prefix?: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/** S3 (or an S3-compatible server). Conditional writes use If-Match / If-None-Match when the server enforces them. */
export class S3Store implements ObjectStore {
  readonly client: S3Client;
  private readonly prefix: string;
  conditionalWrites: boolean;

  constructor(
    private readonly options: S3StoreOptions,
    conditionalWrites = false,
  ) {
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey
        ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } }
        : {}),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.prefix = options.prefix ? options.prefix.replace(/\/+$/, '') + '/' : '';
    this.conditionalWrites = conditionalWrites;
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  uri(key: string): string {
    return `s3://${this.options.bucket}/${this.key(key)}`;
  }

  async get(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }),
      );
      const bytes = await out.Body!.transformToByteArray();
      return { body: Buffer.from(bytes), etag: out.ETag ?? '' };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async put(key: string, body: Buffer | string, options: PutOptions = {}): Promise<{ etag: string }> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(key),
          Body: typeof body === 'string' ? Buffer.from(body) : body,
          ContentType: options.contentType ?? 'application/json',
          ...(this.conditionalWrites && options.ifMatch ? { IfMatch: options.ifMatch } : {}),
          ...(this.conditionalWrites && options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
        }),
      );
      return { etag: out.ETag ?? '' };
    } catch (error) {
      const status = (error as S3ServiceException).$metadata?.httpStatusCode;
      if (status === 412 || status === 409) throw new PreconditionFailedError(key);
      throw error;
    }
  }

  /**
   * PutObject with the file as a stream and its length as Content-Length (a single PUT: objects up to 5 GiB,
   * the S3 limit for one request; no multipart upload).
   */
  async putFile(
    key: string,
    path: string,
    bytes: number,
    options: { contentType?: string } = {},
  ): Promise<{ etag: string }> {
    const out = await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.key(key),
        Body: createReadStream(path),
        ContentLength: bytes,
        ContentType: options.contentType ?? 'application/json',
      }),
    );
    return { etag: out.ETag ?? '' };
  }

  async openRead(key: string): Promise<Readable | null> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }),
      );
      return out.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.key(prefix),
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) if (item.Key) out.push(item.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  /**
   * Whether the server enforces If-Match: write a probe object, then overwrite it with a wrong ETag. A 412
   * means conditions are enforced (AWS S3, MinIO); success means they are ignored (s3rver).
   */
  async probeConditionalWrites(): Promise<boolean> {
    const key = this.key('registry/.probe/conditional-write');
    await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: 'probe' }));
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: 'probe', IfMatch: '"0000"' }),
      );
      return false;
    } catch (error) {
      const status = (error as S3ServiceException).$metadata?.httpStatusCode;
      if (status === 412) return true;
      return false;
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as S3ServiceException;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

/** Parses `s3://bucket/optional/prefix`. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: match[1]!, prefix: match[2] ?? '' };
}
