/**
 * `/groups/new`: a plain form (name, members) that works without JavaScript; a created
 * group answers 303 to its page, a mistake re-renders the form with the field's error.
 */
import { Field } from "../../components/Field.tsx";
import { FormError } from "../../components/FormError.tsx";
import { requireUser } from "../../lib/chat.ts";
import { DomainError } from "../../lib/errors.ts";
import { createGroup } from "../../lib/groups.ts";
import {
  createGroupSchema,
  type FieldErrors,
  fieldErrors,
} from "../../lib/schemas.ts";
import type { PageProps, RouteContext } from "../../runtime/types.ts";
import { readForm, redirect } from "../../server/http.ts";
import type { State } from "../../server/state.ts";

interface NewGroupData {
  name?: string;
  members?: string;
  errors?: FieldErrors;
}

export const title = "New group";

/** Names as typed in the members box: separated by commas, spaces or lines. */
function splitNames(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

export const handler = {
  GET(ctx: RouteContext<State, NewGroupData>) {
    requireUser(ctx.state);
    return ctx.render({});
  },

  async POST(ctx: RouteContext<State, NewGroupData>) {
    const me = requireUser(ctx.state);
    const form = await readForm(ctx.req);
    const name = form.name ?? "";
    const members = form.members ?? "";
    const parsed = createGroupSchema.safeParse({
      name,
      members: splitNames(members),
    });
    if (!parsed.success) {
      return ctx.render(
        { name, members, errors: fieldErrors(parsed.error) },
        { status: 422 },
      );
    }
    try {
      const group = await createGroup(ctx.state, me, parsed.data);
      return redirect(`/groups/${group.id}`);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== "invalid") {
        throw error;
      }
      return ctx.render(
        { name, members, errors: { members: error.message } },
        { status: 422 },
      );
    }
  },
};

export default function NewGroupPage({ data }: PageProps<State, NewGroupData>) {
  const errors = data?.errors ?? {};
  return (
    <section class="card narrow">
      <h1>New group</h1>
      <FormError message={errors.form} />
      <form method="post" action="/groups/new" novalidate>
        <Field
          name="name"
          label="Group name"
          value={data?.name}
          error={errors.name}
          hint="1–100 characters"
          autofocus
        />
        <div class={errors.members ? "field field-invalid" : "field"}>
          <label for="members">Members</label>
          <textarea
            id="members"
            name="members"
            rows={3}
            aria-invalid={errors.members ? "true" : undefined}
            aria-describedby={errors.members
              ? "members-hint members-error"
              : "members-hint"}
          >
            {data?.members ?? ""}
          </textarea>
          <p id="members-hint" class="field-hint">
            Usernames, separated by commas or spaces
          </p>
          {errors.members && (
            <p id="members-error" class="field-error" role="alert">
              {errors.members}
            </p>
          )}
        </div>
        <button type="submit" class="button">Create group</button>
      </form>
      <p class="muted">
        <a href="/users">Back to chats</a>
      </p>
    </section>
  );
}
