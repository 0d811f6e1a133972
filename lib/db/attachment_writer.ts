/**
 * Writes one upload's bytes to KV in 60 KiB chunks, eight to a commit, after a marker the
 * sweep can find; the record that makes the upload visible is the last commit.
 */
import {
  type AttachmentPart,
  type AttachmentRecord,
  CHUNK_BYTES,
  CHUNKS_PER_COMMIT,
  deleteChunks,
  type UploadMarker,
} from "./attachments.ts";
import { keys } from "./keys.ts";
import { commit } from "./kv.ts";

/**
 * Writes one upload's bytes in bounded batches; `complete` makes it visible, `abort` (or
 * the sweep, after a crash) removes what was written.
 */
export class AttachmentWriter {
  readonly id = crypto.randomUUID();
  #pending: Uint8Array[] = [];
  #buffer = new Uint8Array(CHUNK_BYTES);
  #filled = 0;
  #counts: Record<AttachmentPart, number> = { file: 0, thumb: 0 };
  #sizes: Record<AttachmentPart, number> = { file: 0, thumb: 0 };
  #part: AttachmentPart = "file";

  constructor(
    private readonly kv: Deno.Kv,
    readonly conversationId: string,
    readonly ownerId: string,
  ) {}

  /** Records the upload before any byte is stored, so a crash leaves a trace to sweep. */
  async begin(now = new Date()): Promise<void> {
    const marker: UploadMarker = {
      conversationId: this.conversationId,
      ownerId: this.ownerId,
      createdAt: now.toISOString(),
    };
    await commit(this.kv.atomic().set(keys.attachmentUpload(this.id), marker));
  }

  /** Bytes written so far to the current part. */
  get size(): number {
    return this.#sizes[this.#part];
  }

  /** Appends bytes to the current part; stores a batch whenever enough chunks are full. */
  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(CHUNK_BYTES - this.#filled, bytes.length - offset);
      this.#buffer.set(bytes.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === CHUNK_BYTES) this.#cut();
    }
    this.#sizes[this.#part] += bytes.length;
    if (this.#pending.length >= CHUNKS_PER_COMMIT) await this.#flush();
  }

  /** Finishes the current part and starts the next (the thumbnail after the file). */
  async startPart(part: AttachmentPart): Promise<void> {
    await this.endPart();
    this.#part = part;
  }

  /** Stores whatever of the current part is still buffered. */
  async endPart(): Promise<void> {
    if (this.#filled > 0) this.#cut();
    await this.#flush();
  }

  /** Makes the upload visible: the record and the owner's quota row in one commit. */
  async complete(
    meta:
      & Omit<
        AttachmentRecord,
        "id" | "conversationId" | "ownerId" | "size" | "createdAt" | "thumbnail"
      >
      & { thumbnail?: { type: string; width: number; height: number } },
    now = new Date(),
  ): Promise<AttachmentRecord> {
    await this.endPart();
    const { thumbnail, ...rest } = meta;
    const record: AttachmentRecord = {
      ...rest,
      id: this.id,
      conversationId: this.conversationId,
      ownerId: this.ownerId,
      size: this.#sizes.file,
      ...(thumbnail
        ? { thumbnail: { ...thumbnail, size: this.#sizes.thumb } }
        : {}),
      createdAt: now.toISOString(),
    };
    const key = keys.attachment(this.conversationId, this.id);
    await commit(
      this.kv.atomic()
        .check({ key, versionstamp: null })
        .set(key, record)
        .set(
          keys.userAttachment(this.ownerId, this.conversationId, this.id),
          this.#sizes.file + this.#sizes.thumb,
        ),
    );
    return record;
  }

  /** Removes every chunk written and the marker: a failed upload leaves nothing. */
  async abort(): Promise<void> {
    this.#pending = [];
    await deleteChunks(this.kv, this.conversationId, this.id);
    await commit(this.kv.atomic().delete(keys.attachmentUpload(this.id)));
  }

  #cut(): void {
    this.#pending.push(this.#buffer.slice(0, this.#filled));
    this.#filled = 0;
  }

  async #flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const op = this.kv.atomic();
    for (const chunk of this.#pending) {
      const index = this.#counts[this.#part]++;
      op.set(
        keys.attachmentChunk(this.conversationId, this.id, this.#part, index),
        chunk,
      );
    }
    this.#pending = [];
    await commit(op);
  }
}
