/**
 * One file upload into a conversation (a direct chat's or a group's, the route has
 * already checked membership): `multipart/form-data` with a `file` field → 201
 * `{"attachment"}`. The body is streamed (these routes have no buffered body limit): over
 * `MAX_UPLOAD_BYTES` it is refused by Content-Length before reading, and a declared size
 * beyond the sender's quota is refused before any byte is stored.
 */
import { checkQuota, storeUpload, uploadTooLarge } from "../lib/attachments.ts";
import { toUploadedAttachment } from "../lib/attachment_shape.ts";
import { DomainError } from "../lib/errors.ts";
import { json } from "./http.ts";
import {
  isMultipart,
  MULTIPART_OVERHEAD_BYTES,
  readMultipart,
} from "./multipart.ts";
import type { SessionUser, State } from "./state.ts";

/** Stores the request's file in conversation `cid` for `me` and answers 201. */
export async function uploadResponse(
  state: State,
  req: Request,
  me: SessionUser,
  cid: string,
): Promise<Response> {
  const { maxUploadBytes } = state.config;
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
    throw uploadTooLarge(maxUploadBytes);
  }
  if (isMultipart(req) && Number.isFinite(declared)) {
    await checkQuota(
      state,
      me,
      Math.max(0, declared - MULTIPART_OVERHEAD_BYTES),
    );
  }
  const { file } = await readMultipart(req, {
    maxFileBytes: maxUploadBytes,
    maxFieldBytes: 1024,
    onFile: (filename, bytes) =>
      storeUpload(state, me, cid, { filename, bytes }),
  });
  if (!file) {
    throw new DomainError(
      "bad_request",
      "missing_file",
      'The form has no "file" field with a file in it',
    );
  }
  return json({ attachment: toUploadedAttachment(file) }, { status: 201 });
}
