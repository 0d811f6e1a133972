/**
 * Privacy settings as a plain form (works without JavaScript): read receipts, typing
 * indicators, who sees my last seen. Saving redirects back with a notice (303), a bad
 * value re-renders with the error (422).
 */
import { requireUser } from "../lib/chat.ts";
import { settingsFormSchema } from "../lib/schemas.ts";
import {
  settingsFor,
  updateSettings,
  type UserSettings,
} from "../lib/settings.ts";
import type { PageProps, RouteContext } from "../runtime/types.ts";
import { readForm, redirect } from "../server/http.ts";
import type { State } from "../server/state.ts";

interface SettingsData {
  settings: UserSettings;
  notice?: string;
  error?: string;
}

export const title = "Privacy settings";

const AUDIENCES = [
  ["everyone", "Everyone"],
  ["contacts", "People I have a chat with"],
  ["nobody", "Nobody"],
] as const;

export const handler = {
  async GET(ctx: RouteContext<State, SettingsData>) {
    const me = requireUser(ctx.state);
    return ctx.render({
      settings: await settingsFor(ctx.state, me.id),
      notice: ctx.url.searchParams.get("saved") === "1"
        ? "Settings saved."
        : undefined,
    });
  },

  async POST(ctx: RouteContext<State, SettingsData>) {
    const me = requireUser(ctx.state);
    const parsed = settingsFormSchema.safeParse(await readForm(ctx.req));
    if (!parsed.success) {
      return ctx.render({
        settings: await settingsFor(ctx.state, me.id),
        error: parsed.error.issues[0]?.message ?? "Invalid settings",
      }, { status: 422 });
    }
    await updateSettings(ctx.state, me.id, parsed.data);
    return redirect("/settings?saved=1");
  },
};

export default function SettingsPage({ data }: PageProps<State, SettingsData>) {
  const s = data.settings;
  return (
    <section class="card narrow">
      <h1>Privacy settings</h1>
      {data.notice && <p role="status">{data.notice}</p>}
      {data.error && <p class="form-error" role="alert">{data.error}</p>}
      <form method="post" action="/settings" class="settings-form">
        <fieldset>
          <legend>Read receipts</legend>
          <label>
            <input
              type="checkbox"
              name="readReceipts"
              checked={s.readReceipts}
            />{" "}
            Send read receipts
          </label>
          <p class="muted">
            When off, people do not see when you read their messages, and you do
            not see when they read yours.
          </p>
        </fieldset>
        <fieldset>
          <legend>Typing indicators</legend>
          <label>
            <input
              type="checkbox"
              name="typingIndicators"
              checked={s.typingIndicators}
            />{" "}
            Show when I am typing
          </label>
          <p class="muted">
            When off, people do not see “typing…” from you, and you do not see
            it from them.
          </p>
        </fieldset>
        <fieldset>
          <legend>Who can see my online status and last seen</legend>
          {AUDIENCES.map(([value, label]) => (
            <label key={value} class="radio">
              <input
                type="radio"
                name="lastSeen"
                value={value}
                checked={s.lastSeen === value}
              />{" "}
              {label}
            </label>
          ))}
          <p class="muted">
            You cannot see the last seen of people you hide yours from.
          </p>
        </fieldset>
        <button type="submit">Save</button>
      </form>
      <p>
        <a href="/users">Back to your chats</a>
      </p>
    </section>
  );
}
