/**
 * The chat page's no-JS form: urlencoded text, or multipart text with one file, which is
 * stored as an attachment (streamed, like the upload API) and sent with the text.
 */
import { storeUpload } from "../lib/attachments.ts";
import type { SessionUser, State } from "./state.ts";
import { MAX_MESSAGE_BODY_BYTES, readForm } from "./http.ts";
import { isMultipart, readMultipart } from "./multipart.ts";

/**
 * The form's fields and the ids of the attachment it carried (none or one), stored in
 * conversation `cid` (a direct one's id, or a group's).
 */
export async function readChatForm(
  state: State,
  me: SessionUser,
  cid: string,
  req: Request,
): Promise<
  { text: string; attachments: string[]; fields: Record<string, string> }
> {
  if (!isMultipart(req)) {
    const fields = await readForm(req);
    return { text: fields.text ?? "", attachments: [], fields };
  }
  const { fields, file } = await readMultipart(req, {
    maxFileBytes: state.config.maxUploadBytes,
    maxFieldBytes: MAX_MESSAGE_BODY_BYTES,
    onFile: async (filename, bytes) => {
      // A form whose file input was left empty sends an empty, nameless part.
      if (filename === "") {
        for await (const _ of bytes) { /* drain */ }
        return undefined;
      }
      return (await storeUpload(state, me, cid, { filename, bytes })).id;
    },
  });
  return { text: fields.text ?? "", attachments: file ? [file] : [], fields };
}
