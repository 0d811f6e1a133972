/**
 * The app's handle on Deno KV: a thin `Db` facade whose typed verbs delegate to one module
 * per entity (users, sessions, identities, messages, conversations, admin). Only lib/db/
 * touches KV; keys are built in `keys.ts` and every write commits through `kv.ts`.
 */
import * as admin from "./admin.ts";
import * as attachments from "./attachments.ts";
import { sweepAttachments } from "./attachment_sweep.ts";
import { AttachmentWriter } from "./attachment_writer.ts";
import { deleteUserCascade } from "./admin_delete.ts";
import * as conversations from "./conversations.ts";
import * as groups from "./groups.ts";
import * as groupReceipts from "./group_receipts.ts";
import * as identities from "./identities.ts";
import {
  forgetSchemaVersion,
  type MigrateOptions,
  migrationPlan,
  migrationStatus,
  runMigrations,
} from "./migrations/runner.ts";
import * as inbox from "./inbox.ts";
import * as messages from "./messages.ts";
import * as receipts from "./receipts.ts";
import * as secrets from "./secrets.ts";
import * as settings from "./settings.ts";
import * as sessions from "./sessions.ts";
import * as users from "./users.ts";
import { keys } from "./keys.ts";
import type { PasswordHash } from "../passwords.ts";

// What lib/db offers besides the facade: shapes, limits and key helpers.
export * from "./public.ts";

type User = users.User;
type UserIdentity = identities.UserIdentity;

/** Typed verbs over one Deno KV database. */
export class Db {
  /** Extra connections to the same local file, taken in turn by the inbox's reads. */
  #readers: Deno.Kv[];
  #next = 0;

  constructor(readonly kv: Deno.Kv, readers: Deno.Kv[] = []) {
    this.#readers = readers;
  }

  /**
   * Opens KV at a path (`:memory:`, a file, a URL) or the platform default. `readers`
   * opens that many more connections to a local file: one handle answers its requests one
   * after another, so under a fan-out (a group message waking 49 streams, each reading its
   * inbox) they queued for hundreds of ms inside the process while another process read the
   * same file in under a millisecond. A connection sees every commit that finished before
   * its read began (SQLite's WAL), so plain reads go to the readers in turn; writes, the
   * reads of a write's check, and watches (which see only their own handle's writes) stay
   * on `kv`.
   */
  static async open(
    path?: string,
    options: { readers?: number } = {},
  ): Promise<Db> {
    const kv = await Deno.openKv(path);
    const readers: Deno.Kv[] = [];
    try {
      for (let i = 0; i < (options.readers ?? 0); i++) {
        readers.push(await Deno.openKv(path));
      }
    } catch (error) {
      for (const handle of [kv, ...readers]) handle.close();
      throw error;
    }
    return new Db(kv, readers);
  }

  /** A handle for plain reads: the next reader in turn, or `kv` when there are none. */
  get reader(): Deno.Kv {
    if (this.#readers.length === 0) return this.kv;
    this.#next = (this.#next + 1) % this.#readers.length;
    return this.#readers[this.#next];
  }

  /** Closes the underlying KV handles. */
  close(): void {
    for (const handle of [this.kv, ...this.#readers]) handle.close();
  }

  /** One cheap read (a key that never holds a value), for health checks. */
  async ping(): Promise<void> {
    await this.kv.get(keys.users());
  }

  // ---- users ----
  createUser(input: { username: string; password?: PasswordHash; now?: Date }) {
    return users.createUser(this.kv, input);
  }
  getUser(id: string) {
    return users.getUser(this.reader, id);
  }
  getUserByName(username: string) {
    return users.getUserByName(this.reader, username);
  }
  setPassword(userId: string, password: PasswordHash) {
    return users.setPassword(this.kv, userId, password);
  }
  listUsers() {
    return users.listUsers(this.kv);
  }
  getUsers(ids: string[]) {
    return users.getUsers(this.reader, ids);
  }
  searchUsers(prefix: string, limit: number) {
    return users.searchUsers(this.reader, prefix, limit);
  }

  // ---- secrets ----
  /** A 32-byte server secret shared by every process on this KV (e.g. "device_cookie"). */
  getOrCreateSecret(name: string) {
    return secrets.getOrCreateSecret(this.kv, name);
  }

  // ---- sessions ----
  createSession(
    tokenHash: string,
    user: Pick<User, "id" | "username">,
    now?: Date,
  ) {
    return sessions.createSession(this.kv, tokenHash, user, now);
  }
  validateSession(tokenHash: string, now?: Date) {
    return sessions.validateSession(this.kv, tokenHash, now);
  }
  markReauthenticated(tokenHash: string, now?: Date) {
    return sessions.markReauthenticated(this.kv, tokenHash, now);
  }
  deleteSession(tokenHash: string) {
    return sessions.deleteSession(this.kv, tokenHash);
  }
  deleteUserSessions(userId: string) {
    return sessions.deleteUserSessions(this.kv, userId);
  }

  // ---- identities and OAuth state ----
  saveOAuthState(state: string, record: identities.OAuthState) {
    return identities.saveOAuthState(this.kv, state, record);
  }
  consumeOAuthState(state: string, now?: Date) {
    return identities.consumeOAuthState(this.kv, state, now);
  }
  getUserIdByIdentity(provider: string, subject: string) {
    return identities.getUserIdByIdentity(this.kv, provider, subject);
  }
  listUserIdentities(userId: string) {
    return identities.listUserIdentities(this.kv, userId);
  }
  createUserWithIdentity(
    input: Parameters<typeof identities.createUserWithIdentity>[1],
  ) {
    return identities.createUserWithIdentity(this.kv, input);
  }
  linkIdentity(
    userId: string,
    input: Pick<UserIdentity, "provider" | "subject" | "login">,
    now?: Date,
  ) {
    return identities.linkIdentity(this.kv, userId, input, now);
  }
  unlinkIdentity(userId: string, provider: string) {
    return identities.unlinkIdentity(this.kv, userId, provider);
  }

  // ---- messages and conversations ----
  sendMessage(input: Parameters<typeof messages.sendMessage>[1]) {
    return messages.sendMessage(this.kv, input);
  }
  listMessages(
    cid: string,
    options: { afterSeq?: number; beforeSeq?: number; limit: number },
  ) {
    return messages.listMessages(this.reader, cid, options);
  }
  findMessageSeq(cid: string, messageId: string) {
    return messages.findMessageSeq(this.reader, cid, messageId);
  }
  getConversationHead(cid: string) {
    return messages.getConversationHead(this.reader, cid);
  }
  watchConversationHead(cid: string) {
    return messages.watchConversationHead(this.kv, cid);
  }
  getConversationHeadStates(cids: string[]) {
    return messages.getConversationHeadStates(this.reader, cids);
  }
  listConversations(userId: string) {
    return conversations.listConversations(this.reader, userId);
  }
  getConversation(cid: string) {
    return conversations.getConversation(this.reader, cid);
  }
  getReadPosition(userId: string, cid: string) {
    return conversations.getReadPosition(this.reader, userId, cid);
  }
  /** Moves the read position forward to `upToSeq` and recomputes the unread count. */
  markRead(
    userId: string,
    cid: string,
    upToSeq: number,
    receipt?: Parameters<typeof conversations.markRead>[4],
  ) {
    return conversations.markRead(this.kv, userId, cid, upToSeq, receipt);
  }

  // ---- delivery and read status, settings, last seen ----
  getStatusPositions(ownerId: string, cid: string) {
    return receipts.getStatusPositions(this.reader, ownerId, cid);
  }
  markDelivered(marks: receipts.DeliveryMark[]) {
    return receipts.markDelivered(this.kv, marks);
  }
  getSettings(userIds: readonly string[]) {
    return settings.getSettings(this.reader, userIds);
  }
  saveSettings(userId: string, value: settings.UserSettings) {
    return settings.saveSettings(this.kv, userId, value);
  }
  getLastSeen(userIds: readonly string[]) {
    return settings.getLastSeen(this.reader, userIds);
  }
  saveLastSeen(moments: ReadonlyMap<string, number>) {
    return settings.saveLastSeen(this.kv, moments);
  }
  haveConversation(userId: string, cid: string) {
    return settings.haveConversation(this.reader, userId, cid);
  }

  // ---- attachments ----
  /** A writer for one upload's bytes; nothing is visible until `complete`. */
  attachmentWriter(cid: string, ownerId: string) {
    return new AttachmentWriter(this.kv, cid, ownerId);
  }
  getAttachment(cid: string, id: string) {
    return attachments.getAttachment(this.kv, cid, id);
  }
  streamAttachment(
    record: attachments.AttachmentRecord,
    part: attachments.AttachmentPart,
    range: { start: number; end: number },
  ) {
    return attachments.streamAttachment(this.kv, record, part, range);
  }
  userAttachmentBytes(userId: string) {
    return attachments.userAttachmentBytes(this.kv, userId);
  }
  attachmentBytesByUser() {
    return attachments.attachmentBytesByUser(this.kv);
  }
  /** Removes unused uploads older than a day and what crashed uploads left behind. */
  sweepAttachments(now?: Date) {
    return sweepAttachments(this.kv, now);
  }

  // ---- groups (lib/db/groups.ts, lib/db/group_receipts.ts) ----
  getGroupPositions(gid: string) {
    return groupReceipts.getGroupPositions(this.reader, gid);
  }
  /** Members' delivered/read moves; returns the senders whose status moved. */
  moveGroupPositions(
    gid: string,
    moves: groupReceipts.GroupMove[],
    receipts: (userId: string) => boolean,
  ) {
    return groupReceipts.moveGroupPositions(this.kv, gid, moves, receipts);
  }
  groupReceiptTimes(gid: string, userId: string, seq: number) {
    return groupReceipts.receiptTimes(this.reader, gid, userId, seq);
  }
  getGroup(gid: string) {
    return groups.getGroup(this.reader, gid);
  }
  listGroups() {
    return groups.listGroups(this.kv);
  }
  createGroup(input: Parameters<typeof groups.createGroup>[1]) {
    return groups.createGroup(this.kv, input);
  }
  sendGroupMessage(input: Parameters<typeof groups.sendGroupMessage>[1]) {
    return groups.sendGroupMessage(this.kv, input);
  }
  renameGroup(gid: string, actorId: string, title: string) {
    return groups.renameGroup(this.kv, gid, actorId, title);
  }
  addGroupMember(gid: string, actorId: string, userId: string) {
    return groups.addGroupMember(this.kv, gid, actorId, userId);
  }
  /** Null when the group was deleted (its last member left). */
  removeGroupMember(
    gid: string,
    actorId: string,
    userId: string,
    options?: { byOperator?: boolean },
  ) {
    return groups.removeGroupMember(this.kv, gid, actorId, userId, options);
  }
  setGroupRole(
    gid: string,
    actorId: string,
    userId: string,
    role: groups.GroupRole,
  ) {
    return groups.setGroupRole(this.kv, gid, actorId, userId, role);
  }

  // ---- admin ----
  isEmpty() {
    return admin.isEmpty(this.kv);
  }
  listUserActivity() {
    return admin.listUserActivity(this.kv);
  }
  countAll(now?: Date) {
    return admin.countAll(this.kv, now);
  }
  deleteUserCascade(userId: string) {
    return deleteUserCascade(this.kv, userId);
  }
  exportEntries() {
    return admin.exportEntries(this.kv);
  }
  importBatch(entries: Array<{ key: Deno.KvKey; value: unknown }>) {
    return admin.importBatch(this.kv, entries);
  }

  // ---- schema migrations (lib/db/migrations/) ----
  /** Runs pending migrations under the KV lease, or waits while another process does. */
  migrate(options?: MigrateOptions) {
    return runMigrations(this.kv, options);
  }
  migrationStatus() {
    return migrationStatus(this.kv);
  }
  migrationPlan() {
    return migrationPlan(this.kv);
  }
  /** Before an import: the file decides the version (none means version 1). */
  forgetSchemaVersion() {
    return forgetSchemaVersion(this.kv);
  }
  // ---- inbox ----
  getInboxStamp(userId: string) {
    return inbox.getInboxStamp(this.reader, userId);
  }
  listEventsAfter(
    userId: string,
    after: string,
    maxEvents: number,
    options?: { changed?: boolean },
  ) {
    return inbox.listEventsAfter(
      this.reader,
      userId,
      after,
      maxEvents,
      options,
    );
  }
  listMemberStates(userId: string) {
    return inbox.listMemberStates(this.reader, userId);
  }
  getMemberState(userId: string, cid: string) {
    return inbox.getMemberState(this.reader, userId, cid);
  }
  listOtherWriters() {
    return inbox.listOtherWriters(this.kv);
  }
}
