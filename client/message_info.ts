/**
 * "Message info" for my messages in a group: a click on a bubble's ticks opens the dialog
 * (components/chat/MessageInfo.tsx) and loads who received and who read it. One listener
 * on the message list serves every bubble, now and later; closing puts focus back.
 */
import type { RefObject } from "preact";
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { MessageReceipts } from "../lib/group_receipts.ts";

/** What the dialog shows: the receipts, or null while loading, and an error. */
export interface MessageInfoView {
  receipts: MessageReceipts | null;
  error: string;
}

/** Wires the ticks under `root` to the dialog while mounted (groups only). */
export function useMessageInfo(
  root: RefObject<HTMLElement>,
  groupId: string | undefined,
): MessageInfoView {
  const receipts = useSignal<MessageReceipts | null>(null);
  const error = useSignal("");
  useEffect(() => {
    const dialog = document.getElementById("message-info") as
      | HTMLDialogElement
      | null;
    const list = root.current;
    if (!groupId || !dialog || !list) return;
    let opener: HTMLElement | null = null;
    let asked = 0;
    const onClick = async (event: MouseEvent) => {
      const button = (event.target as Element).closest<HTMLElement>(
        "button.msg-info",
      );
      if (!button?.dataset.messageId) return;
      opener = button;
      const ask = ++asked;
      receipts.value = null;
      error.value = "";
      dialog.showModal();
      try {
        const res = await fetch(
          `/api/groups/${encodeURIComponent(groupId)}/messages/${
            encodeURIComponent(button.dataset.messageId)
          }/receipts`,
        );
        const body = await res.json();
        if (ask !== asked) return;
        if (res.ok) receipts.value = body;
        else error.value = body.error?.message ?? "Cannot load message info";
      } catch {
        if (ask === asked) error.value = "Can’t reach Natter. Try again.";
      }
    };
    const onClose = () => {
      opener?.focus();
      opener = null;
    };
    list.addEventListener("click", onClick);
    dialog.addEventListener("close", onClose);
    return () => {
      list.removeEventListener("click", onClick);
      dialog.removeEventListener("close", onClose);
    };
  }, []);
  return { receipts: receipts.value, error: error.value };
}
