/**
 * The "message info" dialog of a group: who read my message and who has it but has not read
 * it (yet, or with read receipts off), each with the time. A modal `<dialog>`: Escape
 * closes it; client/message_info.ts opens it and fills it.
 */
import type { MessageInfoView } from "../../client/message_info.ts";
import { type Clock, formatDay, formatTime } from "../format.ts";

function When(props: { at: string; clock: Clock }) {
  return (
    <time datetime={props.at}>
      {formatDay(props.at, props.clock)}, {formatTime(props.at, props.clock)}
    </time>
  );
}

function People(
  props: {
    title: string;
    people: Array<{ username: string; at: string }>;
    clock: Clock;
    empty: string;
  },
) {
  return (
    <section class={`info-list ${props.title === "Read by" ? "read-by" : ""}`}>
      <h3>{props.title}</h3>
      {props.people.length === 0 ? <p class="muted">{props.empty}</p> : (
        <ul>
          {props.people.map((p) => (
            <li key={p.username}>
              <span class="info-name">{p.username}</span>{" "}
              <When at={p.at} clock={props.clock} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function MessageInfo(props: MessageInfoView & { clock: Clock }) {
  const r = props.receipts;
  return (
    <dialog
      id="message-info"
      class="message-info"
      aria-labelledby="message-info-title"
    >
      <form method="dialog" class="viewer-bar">
        <h2 id="message-info-title">Message info</h2>
        <button type="submit" class="button" autofocus>Close</button>
      </form>
      {props.error
        ? <p class="form-error" role="alert">{props.error}</p>
        : !r
        ? <p class="muted">Loading…</p>
        : (
          <>
            <People
              title="Read by"
              people={r.readBy}
              clock={props.clock}
              empty="Nobody yet"
            />
            <People
              title="Delivered to"
              people={r.deliveredTo}
              clock={props.clock}
              empty="Nobody else"
            />
          </>
        )}
    </dialog>
  );
}
