/** "3 new messages ↓": shown while reading further up when the peer's messages arrive. */
export function NewBelow(props: { count: number; onClick: () => void }) {
  if (props.count <= 0) return null;
  return (
    <button type="button" class="new-messages" onClick={props.onClick}>
      {props.count === 1 ? "1 new message" : `${props.count} new messages`} ↓
    </button>
  );
}
