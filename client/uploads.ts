/**
 * The composer's uploads: each picked, dropped or pasted file goes to the upload API at
 * once, with its progress and a way to cancel it, and waits there until the next send
 * takes the finished ones. XMLHttpRequest, because fetch reports no upload progress.
 * Plain TypeScript: the island renders `items` and calls the methods.
 */
import { type Signal, useSignal } from "@preact/signals";
import { useMemo } from "preact/hooks";
import type { PublicAttachment } from "../lib/attachment_shape.ts";
import type { PendingAttachment } from "./outbox.ts";

export type UploadStatus = "uploading" | "done" | "failed";

export interface UploadItem {
  key: string;
  name: string;
  size: number;
  /** Bytes sent so far. */
  loaded: number;
  status: UploadStatus;
  /** The stored attachment, once done. */
  attachment?: Omit<PublicAttachment, "url">;
  error?: string;
}

/** The most files one message carries (the server refuses more). */
export const MAX_FILES_PER_MESSAGE = 10;

/** Runs uploads to `url` and reports every change of the list to `onChange`. */
export class UploadQueue {
  #items: UploadItem[] = [];
  #requests = new Map<string, XMLHttpRequest>();

  constructor(
    readonly url: string,
    readonly onChange: (items: UploadItem[]) => void,
  ) {}

  get items(): UploadItem[] {
    return this.#items;
  }

  /** Starts uploading each file (beyond 10 waiting for one message, the rest are refused). */
  add(files: Iterable<File>): void {
    for (const file of files) {
      const key = crypto.randomUUID();
      if (this.#items.length >= MAX_FILES_PER_MESSAGE) {
        this.#set([...this.#items, {
          key,
          name: file.name,
          size: file.size,
          loaded: 0,
          status: "failed",
          error: `At most ${MAX_FILES_PER_MESSAGE} files per message`,
        }]);
        continue;
      }
      this.#set([...this.#items, {
        key,
        name: file.name || "pasted file",
        size: file.size,
        loaded: 0,
        status: "uploading",
      }]);
      this.#start(key, file);
    }
  }

  /** Stops an upload (or forgets a finished one); the server drops unused uploads itself. */
  cancel(key: string): void {
    this.#requests.get(key)?.abort();
    this.#requests.delete(key);
    this.#set(this.#items.filter((i) => i.key !== key));
  }

  /** True while a file is still on its way: a send waits for it. */
  get busy(): boolean {
    return this.#items.some((i) => i.status === "uploading");
  }

  /** Hands the finished uploads to a send and clears the tray of them. */
  take(): Array<Omit<PublicAttachment, "url">> {
    const done = this.#items.filter((i) => i.status === "done");
    this.#set(this.#items.filter((i) => i.status !== "done"));
    return done.map((i) => i.attachment!);
  }

  #patch(key: string, patch: Partial<UploadItem>): void {
    this.#set(this.#items.map((i) => i.key === key ? { ...i, ...patch } : i));
  }

  #set(items: UploadItem[]): void {
    this.#items = items;
    this.onChange(items);
  }

  #start(key: string, file: File): void {
    const xhr = new XMLHttpRequest();
    this.#requests.set(key, xhr);
    xhr.open("POST", this.url);
    xhr.setRequestHeader("accept", "application/json");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => this.#patch(key, { loaded: e.loaded });
    xhr.onload = () => {
      this.#requests.delete(key);
      const body = xhr.response;
      if (xhr.status === 201 && body?.attachment) {
        this.#patch(key, {
          status: "done",
          loaded: file.size,
          attachment: body.attachment,
        });
      } else {
        this.#patch(key, {
          status: "failed",
          error: body?.error?.message ?? `Upload failed (HTTP ${xhr.status})`,
        });
      }
    };
    xhr.onerror = () => {
      this.#requests.delete(key);
      this.#patch(key, { status: "failed", error: "Upload failed: offline?" });
    };
    const form = new FormData();
    form.append("file", file);
    xhr.send(form);
  }
}

/** Drag-and-drop props for the chat: files dropped anywhere on it are attached. */
export function fileDropHandlers(onFiles: (files: FileList) => void) {
  const hasFiles = (e: DragEvent) =>
    Array.from(e.dataTransfer?.types ?? []).includes("Files");
  return {
    onDragOver(e: DragEvent) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = "copy";
    },
    onDrop(e: DragEvent) {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      onFiles(e.dataTransfer.files);
    },
  };
}

/** What the chat island needs of its uploads, for the life of the island. */
export interface ChatUploads {
  /** The finished uploads for a send, or null (and a message) while one is running. */
  take(error: Signal<string>): PendingAttachment[] | null;
  /** Drag-and-drop props for the chat. */
  dropProps: ReturnType<typeof fileDropHandlers>;
  /** The composer's upload props. */
  composerProps: {
    uploads: UploadItem[];
    onFiles(files: FileList): void;
    onCancelUpload(key: string): void;
  };
}

/** The island's upload list and the queue that fills it. */
export function useUploads(url: string): ChatUploads {
  const uploads = useSignal<UploadItem[]>([]);
  const queue = useMemo(
    () => new UploadQueue(url, (items) => uploads.value = items),
    [],
  );
  const add = (files: FileList) => queue.add(files);
  return {
    take(error) {
      if (!queue.busy) return queue.take();
      error.value = "Wait for the uploads to finish";
      return null;
    },
    dropProps: useMemo(() => fileDropHandlers(add), []),
    composerProps: {
      uploads: uploads.value,
      onFiles: add,
      onCancelUpload: (key) => queue.cancel(key),
    },
  };
}
