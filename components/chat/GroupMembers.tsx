/**
 * A group's members panel: the members in join order with their roles and, for admins,
 * plain forms to rename, add, remove and promote; "Leave group" for everyone. Every form
 * posts to the group's page with an `intent`, so all of it works without JavaScript.
 */
import type { PublicGroup } from "../../lib/groups.ts";

function IntentForm(
  props: {
    path: string;
    intent: string;
    fields?: Record<string, string>;
    label: string;
    class?: string;
  },
) {
  return (
    <form method="post" action={props.path} class="inline-form">
      <input type="hidden" name="intent" value={props.intent} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.class ?? "link-button"}>
        {props.label}
      </button>
    </form>
  );
}

export function GroupMembers(props: { group: PublicGroup; me: string }) {
  const { group, me } = props;
  const path = `/groups/${group.id}`;
  const admin = group.members.some((m) =>
    m.username === me && m.role === "admin"
  );
  return (
    <details class="group-members">
      <summary>{group.members.length} members</summary>
      <ul>
        {group.members.map((m) => (
          <li key={m.username} data-member={m.username}>
            <span class="member-name">{m.username}</span>
            {m.role === "admin" && <span class="role">admin</span>}
            {admin && m.username !== me && (
              <>
                <IntentForm
                  path={path}
                  intent="role"
                  fields={{
                    username: m.username,
                    role: m.role === "admin" ? "member" : "admin",
                  }}
                  label={m.role === "admin" ? "Dismiss as admin" : "Make admin"}
                />
                <IntentForm
                  path={path}
                  intent="remove"
                  fields={{ username: m.username }}
                  label="Remove"
                />
              </>
            )}
          </li>
        ))}
      </ul>
      {admin && (
        <>
          <form method="post" action={path} class="inline-form">
            <input type="hidden" name="intent" value="add" />
            <label for="add-member">Add member</label>{" "}
            <input id="add-member" name="username" maxLength={32} required />
            <button type="submit" class="button">Add</button>
          </form>
          <form method="post" action={path} class="inline-form">
            <input type="hidden" name="intent" value="rename" />
            <label for="group-name">Group name</label>{" "}
            <input
              id="group-name"
              name="name"
              maxLength={100}
              value={group.title}
              required
            />
            <button type="submit" class="button">Rename</button>
          </form>
        </>
      )}
      <IntentForm
        path={path}
        intent="leave"
        label="Leave group"
        class="button leave"
      />
    </details>
  );
}
