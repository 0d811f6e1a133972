/**
 * Island props travel as JSON inside `<script type="application/json">`. Escaping `<`
 * (and the JS line separators) as Fresh does means no user text can close the script tag.
 */
export function serializeProps(props: unknown): string {
  return JSON.stringify(props)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}
