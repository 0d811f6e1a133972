/**
 * The types, constants and helpers of lib/db that code outside it may use, re-exported by
 * db.ts so that `import … from "lib/db/db.ts"` stays the one door into the data layer.
 */
export { conversationId, keys } from "./keys.ts";
export { authenticatedAt, SESSION_MAX_AGE_MS } from "./sessions.ts";
export type { Session } from "./sessions.ts";
export type { User } from "./users.ts";
export { OAUTH_STATE_MAX_AGE_MS } from "./identities.ts";
export type { OAuthState, UserIdentity } from "./identities.ts";
export type { ConversationHead, HeadState, Message } from "./messages.ts";
export type {
  AttachmentPart,
  AttachmentRecord,
  MessageAttachment,
} from "./attachments.ts";
export type {
  ConversationRecord,
  ConversationSummary,
  MemberConversationRow,
} from "./conversations.ts";
export type { AdminStats, UserActivity } from "./admin.ts";
export type { GroupMember, GroupRecord, GroupRole } from "./groups.ts";
export { MAX_GROUP_MOVES } from "./group_receipts.ts";
export type { GroupMove, GroupPositions } from "./group_receipts.ts";
export type { DeleteUserResult } from "./admin_delete.ts";
export type { MigrateOptions, MigrationStatus } from "./migrations/runner.ts";
export { LATEST_VERSION } from "./migrations/migration.ts";
export { INITIAL_STAMP } from "./inbox.ts";
export type { EventBatch, StoredEvent } from "./inbox.ts";
export type { MemberState } from "./member_states.ts";
export { MAX_DELIVERY_MARKS } from "./receipts.ts";
export type { DeliveryMark, StatusMark, StatusPositions } from "./receipts.ts";
export type { LastSeenAudience, UserSettings } from "./settings.ts";
