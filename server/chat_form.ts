/**
 * The chat page's no-JS form: urlencoded text, or multipart text with one file, which is
 * stored as an attachment (streamed, like the upload API) and sent with the text.
 */
import { storeUpload } from "../lib/attachments.ts";
import { conversationId, type User } from "../lib/db/db.ts";
import type { SessionUser, State } from "./state.ts";
import { MAX_MESSAGE_BODY_BYTES, readForm } from "./http.ts";
import { isMultipart, readMultipart } from "./multipart.ts";

/** The form's text and the ids of the attachment it carried (none or one). */
export async function readChatForm(
  state: State,
  me: SessionUser,
  peer: User,
  req: Request,
): Promise<{ text: string; attachments: string[] }> {
  if (!isMultipart(req)) {
    return { text: (await readForm(req)).text ?? "", attachments: [] };
  }
  const cid = conversationId(me.id, peer.id);
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
  return { text: fields.text ?? "", attachments: file ? [file] : [] };
}
