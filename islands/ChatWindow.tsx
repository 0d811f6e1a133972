/**
 * The chat window. The server renders it with a page of messages (the newest, or from the
 * first unread one under a divider) and a plain form and "Older messages" link that work
 * without JavaScript; in the browser new messages come from the tab's inbox (client/
 * inbox.ts), older pages load when scrolled to the top, what is on screen is reported as
 * read, and sends go through the JSON API. Confirmed messages are only ever appended from the
 * server's ordered list (deduplicated by id), so nothing shows twice or out of order; my
 * unconfirmed messages wait in an outbox below them, in order, each with a client id that
 * makes its sending exactly-once however often it is retried.
 */
import { useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { type Clock, SERVER_CLOCK_ZONE } from "../components/format.ts";
import type { OutboxActions } from "../components/chat/MessageRows.tsx";
import { ChatHeader } from "../components/chat/ChatHeader.tsx";
import { MessageList } from "../components/chat/MessageList.tsx";
import { Composer } from "../components/chat/Composer.tsx";
import { NewBelow } from "../components/chat/NewBelow.tsx";
import { type PeerLive, usePeerLive } from "../client/peer_live.ts";
import { draftKey, loadDraft, saveDraft } from "../client/drafts.ts";
import {
  loadOutbox,
  type OutboxItem,
  outboxKey,
  saveOutbox,
  withoutDelivered,
} from "../client/outbox.ts";
import { OutboxSender } from "../client/sender.ts";
import { useUploads } from "../client/uploads.ts";
import { usePhotoViewer } from "../client/photo_viewer.ts";
import { PhotoViewer } from "../components/chat/PhotoViewer.tsx";
import { MessageInfo } from "../components/chat/MessageInfo.tsx";
import { useMessageInfo } from "../client/message_info.ts";
import { useScrollFollow } from "../client/scroll_follow.ts";
import { type MessagePage, NewerPages } from "../client/newer_pages.ts";
import { useOlderPages } from "../client/older_pages.ts";
import { connectInbox, type InboxStatus } from "../client/inbox.ts";
import { chatTarget } from "../client/chat_target.ts";
import {
  type ReadReporter,
  startReadReporter,
} from "../client/read_reporter.ts";
import type { PublicMessage } from "../lib/messages.ts";
import type { InboxEvent } from "../lib/inbox.ts";

export interface ChatWindowProps {
  me: string;
  peer: string;
  initialMessages: PublicMessage[];
  cursor: string;
  /** Pass as `before` for the page above the first message; null at the very first. */
  older: string | null;
  /** The tab's inbox starts here (read before the messages, so nothing is missed). */
  eventsCursor: string;
  /** Where the "N unread messages" divider goes; null when everything was read. */
  firstUnreadId: string | null;
  unread: number;
  /** Newer messages exist beyond the rendered page: fetch them after mounting. */
  hasNewer: boolean;
  /** Rendered as an older page (`?before=`): offer the way back to the newest. */
  paged: boolean;
  /** A validation error from a no-JS form post, shown above the composer. */
  error?: string;
  draft?: string;
  presence?: PeerLive["presence"];
  /** A group's id: `peer` is then its title, and the group's API and page are used. */
  groupId?: string;
}

const SERVER_CLOCK: Clock = { timeZone: SERVER_CLOCK_ZONE, now: new Date(0) };

export default function ChatWindow(props: ChatWindowProps) {
  const messages = useSignal<PublicMessage[]>(props.initialMessages);
  const outbox = useSignal<OutboxItem[]>([]);
  const text = useSignal(props.draft ?? "");
  const error = useSignal(props.error ?? "");
  const connection = useSignal<InboxStatus>("online");
  /** Messages from the peer that arrived below while I was reading further up. */
  const newBelow = useSignal(0);
  // Server markup uses UTC; after mounting, the browser's own zone and "now".
  const clock = useSignal<Clock>({ ...SERVER_CLOCK, now: new Date() });
  const cursor = useRef(props.cursor);
  const reader = useRef<ReadReporter | null>(null);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const target = useMemo(() => chatTarget(props.peer, props.groupId), []);
  const { apiBase, groupPath } = target;
  const apiUrl = `${apiBase}/messages`;
  const uploads = useUploads(`${apiBase}/attachments`);
  usePhotoViewer(scrollerRef);
  const info = useMessageInfo(scrollerRef, props.groupId);
  const { older, loadOlder } = useOlderPages({
    apiUrl,
    messages,
    scroller: scrollerRef,
    initial: props.older,
  });
  const { atBottom, jumpToEnd, onScroll, showNewest } = useScrollFollow({
    scroller: scrollerRef,
    newBelow,
    loadOlder,
  });
  const live = usePeerLive({ ...props, messages, clock });
  const storageKey = outboxKey(props.me, target.storageId);
  const draftStorageKey = draftKey(props.me, target.storageId);

  function setOutbox(update: (items: OutboxItem[]) => OutboxItem[]) {
    outbox.value = update(outbox.value);
    saveOutbox(storageKey, outbox.value);
  }

  function patchItem(clientId: string, patch: Partial<OutboxItem>) {
    setOutbox((items) =>
      items.map((i) => i.clientId === clientId ? { ...i, ...patch } : i)
    );
  }

  /** The server has the message: drop it from the outbox once the list shows it. */
  function confirm(clientId: string, id: string) {
    if (messages.value.some((m) => m.id === id)) {
      setOutbox((items) => items.filter((i) => i.clientId !== clientId));
    } else patchItem(clientId, { status: "sent", id });
  }

  const sender = useMemo(() =>
    new OutboxSender({
      url: apiUrl,
      items: () => outbox.value,
      update: setOutbox,
      confirmed: confirm,
      showError: (message) => error.value = message,
      // Not the message's fault: it stays queued for after the next login.
      signedOut: () => connection.value = "signed-out",
    }), []);

  function applyPage(page: MessagePage) {
    cursor.current = page.cursor;
    const known = new Set(messages.value.map((m) => m.id));
    const fresh = page.messages.filter((m) => !known.has(m.id));
    if (fresh.length === 0) return;
    messages.value = [...messages.value, ...fresh];
    setOutbox((items) => withoutDelivered(items, fresh));
    const incoming = fresh.filter((m) => m.from !== props.me).length;
    if (incoming > 0 && !atBottom.current) newBelow.value += incoming;
    // My own message arriving while its send shows as failed means the answer was lost:
    // retry now, and the client id turns the retry into a confirmation.
    if (
      fresh.some((m) => m.from === props.me) &&
      outbox.value.some((i) => i.status === "failed" && i.retryable !== false)
    ) sender.retryAll();
  }

  const newer = useMemo(() =>
    new NewerPages({
      url: apiUrl,
      cursor: () => cursor.current,
      apply: applyPage,
    }), []);

  function onInboxEvent(event: InboxEvent) {
    if (live.onEvent(event) || !target.owns(event)) return;
    // Mid catch-up the list has a gap before this message: fetch again instead.
    if (newer.running) newer.run();
    else applyPage({ messages: [event.message], cursor: cursor.current });
  }

  function onConnection(next: InboxStatus) {
    const cameBack = next === "online" && connection.value !== "online";
    connection.value = next;
    if (cameBack) sender.retryAll();
  }

  function setText(value: string) {
    text.value = value;
    saveDraft(draftStorageKey, value);
    live.sender.input(value);
  }

  function send(event?: Event) {
    event?.preventDefault();
    const value = text.value.trim();
    const attachments = uploads.take(error);
    if (!attachments) return;
    if (!value && attachments.length === 0) return;
    setOutbox((items) => [...items, {
      clientId: crypto.randomUUID(),
      text: value,
      status: "sending",
      ...(attachments.length ? { attachments } : {}),
    }]);
    setText("");
    inputRef.current?.focus();
    jumpToEnd.current = true;
    sender.pump();
  }

  // One object for the island's life: the memoised rows compare props by identity.
  const actions = useMemo<OutboxActions>(() => ({
    retry: (item) => sender.retryAll(item),
    edit(item) {
      setOutbox((items) => items.filter((i) => i.clientId !== item.clientId));
      setText(text.value.trim() ? `${text.value}\n${item.text}` : item.text);
      error.value = "";
      inputRef.current?.focus();
    },
    discard(item) {
      setOutbox((items) => items.filter((i) => i.clientId !== item.clientId));
      error.value = "";
    },
  }), []);

  useEffect(() => {
    clock.value = { now: new Date() };
    // A draft from a no-JS post (props.draft) wins over the one saved in this browser.
    if (!text.value) text.value = loadDraft(draftStorageKey);
    inputRef.current?.focus();
    // A send whose answer was lost before the reload is already in the history.
    const saved = withoutDelivered(loadOutbox(storageKey), messages.value);
    saveOutbox(storageKey, saved);
    if (saved.length > 0) {
      outbox.value = saved;
      jumpToEnd.current = true;
      sender.pump();
      if (saved.some((i) => i.retryable === false)) {
        error.value = "A message was not sent: edit or discard it.";
      }
    }
    const stopInbox = connectInbox(props.eventsCursor).listen({
      onEvent: onInboxEvent,
      onReset: () => newer.run(),
      onStatus: onConnection,
    });
    if (props.hasNewer) newer.run();
    reader.current = startReadReporter({
      url: `${apiBase}/read`,
      root: scrollerRef.current!,
    });
    document.getElementById("unread-divider")?.scrollIntoView({
      block: "start",
    });
    return () => {
      stopInbox();
      reader.current?.stop();
      sender.stop();
    };
  }, []);

  return (
    <section
      class="chat"
      aria-labelledby="chat-title"
      {...uploads.dropProps}
    >
      <ChatHeader {...live} connection={connection.value} path={groupPath} />
      <div class="messages-wrap">
        <div
          class="messages"
          ref={scrollerRef}
          onScroll={onScroll}
          role="log"
          aria-live="polite"
          aria-label={`Messages with ${props.peer}`}
          tabIndex={0}
        >
          <MessageList
            me={props.me}
            peer={props.peer}
            messages={messages.value}
            outbox={outbox.value}
            clock={clock.value}
            actions={actions}
            older={older.value}
            onOlder={loadOlder}
            firstUnreadId={props.firstUnreadId}
            unread={props.unread}
            paged={props.paged}
            groupPath={groupPath}
          />
        </div>
        <NewBelow count={newBelow.value} onClick={showNewest} />
      </div>
      {error.value && <p class="form-error" role="alert">{error.value}</p>}
      <Composer
        peer={props.peer}
        action={groupPath}
        text={text}
        inputRef={inputRef}
        onInput={setText}
        onSend={send}
        {...uploads.composerProps}
      />
      <PhotoViewer />
      {props.groupId && <MessageInfo {...info} clock={clock.value} />}
    </section>
  );
}
