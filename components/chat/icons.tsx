/** Small inline SVG icons (no emoji font needed; inline SVG is markup, so the CSP allows it). */

export function PaperclipIcon() {
  return (
    <svg
      viewBox="0 0 24 24"
      width="20"
      height="20"
      aria-hidden="true"
      class="icon"
    >
      <path
        d="M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5"
        fill="none"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linecap="round"
      />
    </svg>
  );
}

/** A document with a short label on it ("PDF", "ZIP", …). */
export function FileIcon(props: { label: string }) {
  return (
    <svg
      viewBox="0 0 32 40"
      width="32"
      height="40"
      aria-hidden="true"
      class="icon"
    >
      <path
        d="M3 1h18l8 8v30H3z"
        fill="var(--surface)"
        stroke="currentColor"
        stroke-width="1.5"
      />
      <path
        d="M21 1v8h8"
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
      />
      <text
        x="16"
        y="31"
        text-anchor="middle"
        font-size="8"
        font-weight="700"
        fill="currentColor"
      >
        {props.label}
      </text>
    </svg>
  );
}
