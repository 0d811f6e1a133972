/** A labelled form input with its error message, wired up for screen readers. */
export function Field(
  props: {
    name: string;
    label: string;
    type?: string;
    value?: string;
    error?: string;
    autocomplete?: string;
    hint?: string;
    autofocus?: boolean;
  },
) {
  const errorId = `${props.name}-error`;
  const hintId = `${props.name}-hint`;
  const describedBy = [props.error ? errorId : "", props.hint ? hintId : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class={props.error ? "field field-invalid" : "field"}>
      <label for={props.name}>{props.label}</label>
      <input
        id={props.name}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        autocomplete={props.autocomplete}
        autofocus={props.autofocus}
        required
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.hint && <p id={hintId} class="field-hint">{props.hint}</p>}
      {props.error && (
        <p id={errorId} class="field-error" role="alert">{props.error}</p>
      )}
    </div>
  );
}
