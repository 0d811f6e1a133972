/**
 * Uploads one file into the group, for its members: `multipart/form-data` with a `file`
 * field → 201 `{"attachment"}`, exactly as for a direct chat
 * (routes/api/conversations/[username]/attachments.ts).
 */
import {
  checkQuota,
  storeUpload,
  uploadTooLarge,
} from "../../../../lib/attachments.ts";
import { toUploadedAttachment } from "../../../../lib/attachment_shape.ts";
import { requireUser } from "../../../../lib/chat.ts";
import { DomainError } from "../../../../lib/errors.ts";
import { requireGroup } from "../../../../lib/groups.ts";
import type { RouteContext } from "../../../../runtime/types.ts";
import { json } from "../../../../server/http.ts";
import {
  isMultipart,
  MULTIPART_OVERHEAD_BYTES,
  readMultipart,
} from "../../../../server/multipart.ts";
import type { State } from "../../../../server/state.ts";

export const handler = {
  async POST(ctx: RouteContext<State>) {
    const me = requireUser(ctx.state);
    const group = await requireGroup(ctx.state, me, ctx.params.id);
    const { maxUploadBytes } = ctx.state.config;
    const declared = Number(ctx.req.headers.get("content-length") ?? NaN);
    if (declared > maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      throw uploadTooLarge(maxUploadBytes);
    }
    if (isMultipart(ctx.req) && Number.isFinite(declared)) {
      await checkQuota(
        ctx.state,
        me,
        Math.max(0, declared - MULTIPART_OVERHEAD_BYTES),
      );
    }
    const { file } = await readMultipart(ctx.req, {
      maxFileBytes: maxUploadBytes,
      maxFieldBytes: 1024,
      onFile: (filename, bytes) =>
        storeUpload(ctx.state, me, group.id, { filename, bytes }),
    });
    if (!file) {
      throw new DomainError(
        "bad_request",
        "missing_file",
        'The form has no "file" field with a file in it',
      );
    }
    return json({ attachment: toUploadedAttachment(file) }, { status: 201 });
  },
};
