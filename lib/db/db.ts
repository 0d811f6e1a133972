/**
 * The app's handle on Deno KV: a thin `Db` facade whose typed verbs delegate to one module
 * per entity (people in db_people.ts; here messages, conversations, groups, files, admin,
 * the inbox). Only lib/db/ touches KV; keys are built in `keys.ts` and every write commits
 * through `kv.ts`.
 */
import * as admin from "./admin.ts";
import * as attachments from "./attachments.ts";
import { sweepAttachments } from "./attachment_sweep.ts";
import { AttachmentWriter } from "./attachment_writer.ts";
import { deleteUserCascade } from "./admin_delete.ts";
import * as conversations from "./conversations.ts";
import * as groups from "./groups.ts";
import * as groupReceipts from "./group_receipts.ts";
import {
  forgetSchemaVersion,
  type MigrateOptions,
  migrationPlan,
  migrationStatus,
  runMigrations,
} from "./migrations/runner.ts";
import * as inbox from "./inbox.ts";
import * as memberStates from "./member_states.ts";
import * as messages from "./messages.ts";
import * as receipts from "./receipts.ts";
import * as settings from "./settings.ts";
import { DbPeople } from "./db_people.ts";
import { openKvPool } from "./kv_pool.ts";

// What lib/db offers besides the facade: shapes, limits and key helpers.
export * from "./public.ts";

/** Typed verbs over one Deno KV database. */
export class Db extends DbPeople {
  /**
   * Opens KV at a path (`:memory:`, a file, a URL) or the platform default, with `readers`
   * more connections for reads (only meaningful for a local file; see lib/db/kv_pool.ts).
   */
  static async open(
    path?: string,
    options: { readers?: number } = {},
  ): Promise<Db> {
    const pool = await openKvPool(path, options.readers ?? 0);
    return new Db(pool.main, pool.readers);
  }

  // ---- messages and conversations ----
  sendMessage(input: Parameters<typeof messages.sendMessage>[1]) {
    return messages.sendMessage(this.data, input);
  }
  listMessages(
    cid: string,
    options: { afterSeq?: number; beforeSeq?: number; limit: number },
  ) {
    return messages.listMessages(this.data, cid, options);
  }
  findMessageSeq(cid: string, messageId: string) {
    return messages.findMessageSeq(this.data, cid, messageId);
  }
  getConversationHead(cid: string) {
    return messages.getConversationHead(this.data, cid);
  }
  watchConversationHead(cid: string) {
    return messages.watchConversationHead(this.data, cid);
  }
  getConversationHeadStates(cids: string[]) {
    return messages.getConversationHeadStates(this.data, cids);
  }
  listConversations(userId: string) {
    return conversations.listConversations(this.data, userId);
  }
  getConversation(cid: string) {
    return conversations.getConversation(this.data, cid);
  }
  getReadPosition(userId: string, cid: string) {
    return conversations.getReadPosition(this.data, userId, cid);
  }
  /** Moves the read position forward to `upToSeq` and recomputes the unread count. */
  markRead(
    userId: string,
    cid: string,
    upToSeq: number,
    receipt?: Parameters<typeof conversations.markRead>[4],
  ) {
    return conversations.markRead(this.data, userId, cid, upToSeq, receipt);
  }

  // ---- delivery and read status, settings, last seen ----
  getStatusPositions(ownerId: string, cid: string) {
    return receipts.getStatusPositions(this.data, ownerId, cid);
  }
  markDelivered(marks: receipts.DeliveryMark[]) {
    return receipts.markDelivered(this.data, marks);
  }
  getSettings(userIds: readonly string[]) {
    return settings.getSettings(this.data, userIds);
  }
  saveSettings(userId: string, value: settings.UserSettings) {
    return settings.saveSettings(this.data, userId, value);
  }
  getLastSeen(userIds: readonly string[]) {
    return settings.getLastSeen(this.data, userIds);
  }
  saveLastSeen(moments: ReadonlyMap<string, number>) {
    return settings.saveLastSeen(this.data, moments);
  }
  haveConversation(userId: string, cid: string) {
    return settings.haveConversation(this.data, userId, cid);
  }

  // ---- attachments ----
  /** A writer for one upload's bytes; nothing is visible until `complete`. */
  attachmentWriter(cid: string, ownerId: string) {
    return new AttachmentWriter(this.data, cid, ownerId);
  }
  getAttachment(cid: string, id: string) {
    return attachments.getAttachment(this.data, cid, id);
  }
  streamAttachment(
    record: attachments.AttachmentRecord,
    part: attachments.AttachmentPart,
    range: { start: number; end: number },
  ) {
    return attachments.streamAttachment(this.data, record, part, range);
  }
  userAttachmentBytes(userId: string) {
    return attachments.userAttachmentBytes(this.data, userId);
  }
  attachmentBytesByUser() {
    return attachments.attachmentBytesByUser(this.data);
  }
  /** Removes unused uploads older than a day and what crashed uploads left behind. */
  sweepAttachments(now?: Date) {
    return sweepAttachments(this.data, now);
  }

  // ---- groups (lib/db/groups.ts, lib/db/group_receipts.ts) ----
  getGroupPositions(gid: string) {
    return groupReceipts.getGroupPositions(this.data, gid);
  }
  /** Members' delivered/read moves; returns the senders whose status moved. */
  moveGroupPositions(
    gid: string,
    moves: groupReceipts.GroupMove[],
    receipts: (userId: string) => boolean,
  ) {
    return groupReceipts.moveGroupPositions(this.data, gid, moves, receipts);
  }
  groupReceiptTimes(gid: string, userId: string, seq: number) {
    return groupReceipts.receiptTimes(this.data, gid, userId, seq);
  }
  getGroup(gid: string) {
    return groups.getGroup(this.data, gid);
  }
  listGroups() {
    return groups.listGroups(this.data);
  }
  createGroup(input: Parameters<typeof groups.createGroup>[1]) {
    return groups.createGroup(this.data, input);
  }
  sendGroupMessage(input: Parameters<typeof groups.sendGroupMessage>[1]) {
    return groups.sendGroupMessage(this.data, input);
  }
  renameGroup(gid: string, actorId: string, title: string) {
    return groups.renameGroup(this.data, gid, actorId, title);
  }
  addGroupMember(gid: string, actorId: string, userId: string) {
    return groups.addGroupMember(this.data, gid, actorId, userId);
  }
  /** Null when the group was deleted (its last member left). */
  removeGroupMember(
    gid: string,
    actorId: string,
    userId: string,
    options?: { byOperator?: boolean },
  ) {
    return groups.removeGroupMember(this.data, gid, actorId, userId, options);
  }
  setGroupRole(
    gid: string,
    actorId: string,
    userId: string,
    role: groups.GroupRole,
  ) {
    return groups.setGroupRole(this.data, gid, actorId, userId, role);
  }

  // ---- admin ----
  isEmpty() {
    return admin.isEmpty(this.data);
  }
  listUserActivity() {
    return admin.listUserActivity(this.data);
  }
  countAll(now?: Date) {
    return admin.countAll(this.data, now);
  }
  deleteUserCascade(userId: string) {
    return deleteUserCascade(this.data, userId);
  }
  exportEntries() {
    return admin.exportEntries(this.data);
  }
  importBatch(entries: Array<{ key: Deno.KvKey; value: unknown }>) {
    return admin.importBatch(this.data, entries);
  }

  // ---- schema migrations (lib/db/migrations/) ----
  /** Runs pending migrations under the KV lease, or waits while another process does. */
  migrate(options?: MigrateOptions) {
    return runMigrations(this.data, options);
  }
  migrationStatus() {
    return migrationStatus(this.data);
  }
  migrationPlan() {
    return migrationPlan(this.data);
  }
  /** Before an import: the file decides the version (none means version 1). */
  forgetSchemaVersion() {
    return forgetSchemaVersion(this.data);
  }
  // ---- inbox ----
  getInboxStamp(userId: string) {
    return inbox.getInboxStamp(this.data, userId);
  }
  listEventsAfter(
    userId: string,
    after: string,
    maxEvents: number,
    options?: { changed?: boolean },
  ) {
    return inbox.listEventsAfter(
      this.data,
      userId,
      after,
      maxEvents,
      options,
    );
  }
  listMemberStates(userId: string) {
    return memberStates.listMemberStates(this.data, userId);
  }
  getMemberState(userId: string, cid: string) {
    return memberStates.getMemberState(this.data, userId, cid);
  }
  listOtherWriters() {
    return inbox.listOtherWriters(this.data);
  }
}
