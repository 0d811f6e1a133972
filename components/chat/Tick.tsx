/**
 * The status of one of my messages: ✓ sent, ✓✓ delivered, ✓✓ in the read colour. An image
 * with an accessible name ("Sent", "Delivered", "Read") rather than text, so a status that
 * changes inside the live message log is not announced again (attribute changes are not
 * read out); the tooltip adds the time.
 */
import type { MessageStatus } from "../../lib/messages.ts";

const LABELS: Record<MessageStatus, string> = {
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
};

export function Tick(props: { status: MessageStatus; time: string }) {
  const label = LABELS[props.status];
  return (
    <span
      class={`tick ${props.status}`}
      role="img"
      aria-label={label}
      title={`${label} ${props.time}`}
      data-status={props.status}
    >
      {props.status === "sent" ? "✓" : "✓✓"}
    </span>
  );
}
